package dev.scratchlm.chat;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.TensorInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint ready to serve: weights in a KV-cache decoder driven by its own batching thread, the tokenizer it
 * was trained with, and the chat template built from that tokenizer's special tokens (null when it has none, and
 * then the model only completes text).
 */
final class LoadedModel {
    final String id;
    final CheckpointManifest manifest;
    final TokenizerRecord tokenizerRecord;
    final Tokenizer tokenizer;
    final ChatTemplate template;
    final GptConfig config;
    final List<TensorInfo> tensors;
    final long parameterCount;
    final long created;
    /** Replaced by a new one when its thread dies of an error no single request caused (see {@link #schedulerDied}). */
    volatile BatchScheduler scheduler;
    /** Prepended to a completion prompt: pre-training documents start after an end-of-text token. */
    final int documentStart;

    LoadedModel(
            CheckpointManifest manifest,
            Checkpoint checkpoint,
            TokenizerRecord record,
            Tokenizer tokenizer,
            int slots,
            int maxQueued) {
        this(manifest, checkpoint, record, tokenizer, slots, maxQueued, 1);
    }

    /** @param maxBackground campaign sequences decoded at once (see {@link BatchScheduler}) */
    LoadedModel(
            CheckpointManifest manifest,
            Checkpoint checkpoint,
            TokenizerRecord record,
            Tokenizer tokenizer,
            int slots,
            int maxQueued,
            int maxBackground) {
        this.id = manifest.checkpointId();
        this.manifest = manifest;
        this.tokenizerRecord = record;
        this.tokenizer = tokenizer;
        this.template = templateOf(tokenizer);
        this.config = checkpoint.config();
        this.tensors = Gpt.parameterTable(config);
        this.parameterCount = tensors.stream().mapToLong(TensorInfo::count).sum();
        Instant at = manifest.createdAt() != null ? manifest.createdAt() : Instant.now();
        this.created = at.getEpochSecond();
        Integer eot = tokenizer.specialTokens().get(ChatTemplate.ENDOFTEXT);
        this.documentStart = eot == null ? -1 : eot;
        this.model = checkpoint.toModel(1);
        this.slots = slots;
        this.maxQueued = maxQueued;
        this.maxBackground = maxBackground;
        this.scheduler = newScheduler();
    }

    private final Gpt model;
    private final int slots, maxQueued, maxBackground;
    private boolean unloaded;
    private int restarts;
    private String lastFailure;
    private boolean dead;

    private BatchScheduler newScheduler() {
        int mergeable = tokenizer.mergeableCount();
        // Special tokens (and ids past the tokenizer, if the model's vocabulary is padded) end an answer.
        return new BatchScheduler(
                id,
                new KvDecoder(model, slots),
                token -> token >= mergeable,
                maxQueued,
                maxBackground,
                this::schedulerDied);
    }

    /**
     * The decode thread ended on an error no single request caused (its requests were failed): the weights are
     * untouched, so a new scheduler with a fresh KV cache takes over. While there is none (or building it failed),
     * readiness reports the model down.
     */
    private void schedulerDied(Throwable t) {
        synchronized (this) {
            dead = true;
            restarts++;
            lastFailure = t.toString();
            if (unloaded) return;
        }
        try {
            BatchScheduler fresh = newScheduler();
            synchronized (this) {
                if (unloaded) {
                    fresh.retire();
                    return;
                }
                scheduler = fresh;
                dead = false;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            synchronized (this) {
                lastFailure = t + "; restart failed: " + e;
            }
        }
    }

    /** The weights as served, for an export (decoding only reads them). */
    Checkpoint weights() {
        return Checkpoint.weightsOnly(model, tokenizer.id(), Map.of(), Map.of());
    }

    /** Unloaded from the registry: its scheduler finishes what it has and takes nothing new. */
    synchronized void unload() {
        unloaded = true;
        scheduler.retire();
    }

    /** Decoder health for readiness: alive, times the decode thread died and was replaced, the last failure. */
    synchronized boolean decoderAlive() {
        return !dead && scheduler.isAlive();
    }

    synchronized int decoderRestarts() {
        return restarts;
    }

    synchronized String lastDecoderFailure() {
        return lastFailure;
    }

    private static ChatTemplate templateOf(Tokenizer tokenizer) {
        try {
            return new ChatTemplate(tokenizer);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    String stage() {
        return manifest.stage();
    }

    long step() {
        return manifest.step();
    }

    int blockSize() {
        return config.blockSize();
    }
}
