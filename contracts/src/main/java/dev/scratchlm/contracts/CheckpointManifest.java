package dev.scratchlm.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The last record of a checkpoint on {@link Topics#CHECKPOINTS}, after its chunks (see {@link Chunks}).
 * A consumer accepts the checkpoint only when every chunk arrived and the whole blob's SHA-256 matches.
 *
 * @param stage      pretrain, sft or rlhf/dpo
 * @param parentId   the checkpoint this one continued from, if any
 * @param model      the model configuration (layers, heads, width, context, vocabulary)
 * @param lineage    what it was trained on: tokenizer, shard ids, document counts, the job
 * @param metrics    train/val loss, tokens seen, wall time
 */
public record CheckpointManifest(
        int schema,
        String checkpointId,
        String stage,
        long step,
        String parentId,
        String tokenizerId,
        Map<String, Object> model,
        Map<String, Object> lineage,
        Map<String, Object> metrics,
        long sizeBytes,
        int chunkCount,
        String sha256,
        Instant createdAt) {
    public static final int SCHEMA = 1;
}
