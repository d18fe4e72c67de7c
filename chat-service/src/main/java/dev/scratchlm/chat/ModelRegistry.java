package dev.scratchlm.chat;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.MemoryEstimate;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which models this replica serves. Every verified checkpoint from the topic is known (for lineage); the newest of
 * each stage is always loaded, and older ones stay loaded until the cap is reached, so stages and steps can be
 * compared side by side. A checkpoint whose tokenizer has not arrived yet waits for it.
 *
 * <p>Model names: a checkpoint id, or a stage name ({@code pretrain}, {@code sft}, {@code rlhf}, ...) as an alias
 * for the newest checkpoint of that stage.
 */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());

    /** A verified checkpoint that has not been loaded (yet): waiting for its tokenizer, or skipped. */
    private record Waiting(CheckpointManifest manifest, Path blob) {}

    @ConfigProperty(name = "chat.models.max-loaded", defaultValue = "4")
    int maxLoaded;
    /** Memory for loaded models (weights, KV caches, buffers); 0: the process's caps (heap + off-heap, at most the resident-size cap) minus the runtime's share. */
    @ConfigProperty(name = "chat.models.memory-mb", defaultValue = "0")
    long memoryMb;

    @ConfigProperty(name = "chat.models.slots", defaultValue = "8")
    int slots;

    @ConfigProperty(name = "chat.models.max-queued", defaultValue = "64")
    int maxQueued;

    @ConfigProperty(name = "chat.generations.max-active", defaultValue = "2")
    int maxBackground;

    private final Map<String, TokenizerRecord> tokenizers = new HashMap<>();
    private final Map<String, CheckpointManifest> known = new LinkedHashMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private final Map<String, LoadedModel> loaded = new LinkedHashMap<>();
    /** Reward models, oldest first: they rank sampled answers (best_of) and are never chatted with. */
    private final Map<String, RewardModel> rewards = new LinkedHashMap<>();

    static final int MAX_REWARD_MODELS = 2;
    static final String REWARD_STAGE = "reward";
    private final Map<String, String> newestByStage = new HashMap<>();
    private final Map<String, Long> arrival = new HashMap<>();
    private long arrivals;

    // Writes come from the one consumer thread; the lock guards the maps and is never held while a model loads,
    // so requests to loaded models are not delayed by a new checkpoint arriving.

    /** A tokenizer from the topic; loads the checkpoints that were waiting for it. */
    public void tokenizerArrived(TokenizerRecord record) {
        List<Waiting> ready;
        synchronized (this) {
            tokenizers.put(record.id(), record);
            ready = waiting.values().stream()
                    .filter(w -> record.id().equals(w.manifest().tokenizerId()))
                    .toList();
            ready.forEach(w -> waiting.remove(w.manifest().checkpointId()));
        }
        for (Waiting w : ready) load(w.manifest(), w.blob());
    }

    /**
     * A complete, checksum-verified checkpoint. {@code load} false records it without loading it (an old one
     * replayed at start-up that the cap leaves out); its blob is deleted either way once read.
     */
    public void checkpointArrived(CheckpointManifest manifest, Path blob, boolean load) {
        String id = manifest.checkpointId();
        synchronized (this) {
            known.remove(id);
            known.put(id, manifest);
            rejected.remove(id);
            arrival.put(id, ++arrivals);
            if (load && (manifest.tokenizerId() == null || !tokenizers.containsKey(manifest.tokenizerId()))) {
                LOG.info("checkpoint " + id + " waits for tokenizer " + manifest.tokenizerId());
                Waiting old = waiting.put(id, new Waiting(manifest, blob));
                if (old != null && !old.blob().equals(blob)) delete(old.blob());
                return;
            }
        }
        if (load) load(manifest, blob);
        else delete(blob);
    }

    /** A checkpoint the assembler or the loader refused, and why. */
    public synchronized void checkpointRejected(String id, String reason) {
        LOG.warning("checkpoint " + id + " ignored: " + reason);
        rejected.put(id, reason);
    }

    /** Bytes the loaded models may take together. */
    long memoryBudget() {
        if (memoryMb > 0) return memoryMb << 20;
        long caps =
                org.bytedeco.javacpp.Pointer.maxBytes() + Runtime.getRuntime().maxMemory();
        long physical = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        return (physical > 0 ? Math.min(caps, physical) : caps) - MemoryEstimate.RUNTIME_BYTES;
    }

    /** What a model takes once loaded: its weights, its decoder's snapshot, KV cache and buffers. */
    long footprint(GptConfig config, boolean reward) {
        return MemoryEstimate.inferenceBytes(config, reward ? 1 : slots) - MemoryEstimate.RUNTIME_BYTES;
    }

    private synchronized long memoryInUse() {
        long used = 0;
        for (LoadedModel m : loaded.values()) used += footprint(m.config, false);
        for (RewardModel r : rewards.values()) used += footprint(r.config(), true);
        return used;
    }

    /**
     * Makes room for a model of {@code need} bytes under the budget by unloading the oldest models that are no
     * stage's newest; a refusal with the reason when even then it does not fit (nothing is unloaded for it then).
     */
    private synchronized void makeRoom(String id, String stage, long need) {
        // The new checkpoint becomes its stage's newest: the one it replaces need not stay.
        String replaced = newestByStage.get(stage == null ? "unknown" : stage);
        long budget = memoryBudget();
        long free = budget - memoryInUse();
        List<String> victims = new ArrayList<>();
        for (String v : loaded.keySet()) {
            if (free >= need) break;
            if (v.equals(id) || (newestByStage.containsValue(v) && !v.equals(replaced))) continue;
            victims.add(v);
            free += footprint(loaded.get(v).config, false);
        }
        if (free < need) {
            throw new IllegalArgumentException(String.format(
                    "needs about %d MB to serve with %d slots, but the models' memory"
                            + " budget of %d MB has %d MB free with the models that must stay (the newest of each stage) loaded;"
                            + " raise chat.models.memory-mb and the process's memory, or serve a smaller model",
                    need >> 20, slots, budget >> 20, free >> 20));
        }
        for (String v : victims) {
            LOG.info("unloading " + v + " to make room for " + id + " in the memory budget");
            loaded.remove(v).unload();
        }
    }

    private void load(CheckpointManifest manifest, Path blob) {
        String id = manifest.checkpointId();
        LoadedModel model;
        try (InputStream in = Files.newInputStream(blob)) {
            Checkpoint checkpoint = Checkpoint.readWeightsOnly(new BufferedInputStream(in, 1 << 16));
            makeRoom(
                    id,
                    manifest.stage(),
                    footprint(checkpoint.config(), checkpoint.config().rewardHead()));
            TokenizerRecord record;
            synchronized (this) {
                record = tokenizers.get(manifest.tokenizerId());
            }
            Tokenizer tokenizer = ScratchFormat.fromText(record.definition());
            if (checkpoint.config().rewardHead()) {
                // Its LM head is the tied embedding it was fine-tuned through, not a chat model anyone trained: it
                // only scores answers (best_of), so it is kept apart from the models that chat.
                RewardModel reward =
                        new RewardModel(manifest, checkpoint, new dev.scratchlm.bpe.ChatTemplate(tokenizer));
                synchronized (this) {
                    rewards.remove(id);
                    rewards.put(id, reward);
                    while (rewards.size() > MAX_REWARD_MODELS)
                        rewards.remove(rewards.keySet().iterator().next());
                }
                LOG.info("loaded reward model " + id + " (step " + manifest.step() + "): scores answers for best_of");
                return;
            }
            if (tokenizer.vocabSize() > checkpoint.config().vocabSize()) {
                throw new IllegalArgumentException("tokenizer " + record.id() + " has " + tokenizer.vocabSize()
                        + " ids but the model only " + checkpoint.config().vocabSize());
            }
            model = new LoadedModel(manifest, checkpoint, record, tokenizer, slots, maxQueued, maxBackground);
        } catch (IOException | RuntimeException e) {
            checkpointRejected(id, "cannot load: " + e.getMessage());
            return;
        } finally {
            delete(blob);
        }
        synchronized (this) {
            LoadedModel old = loaded.remove(id);
            if (old != null) old.unload();
            loaded.put(id, model);
            // The alias follows the newest loaded checkpoint of the stage, in the order they were published.
            String stage = manifest.stage() == null ? "unknown" : manifest.stage();
            String current = newestByStage.get(stage);
            if (current == null
                    || !loaded.containsKey(current)
                    || arrival.getOrDefault(id, 0L) >= arrival.getOrDefault(current, 0L)) {
                newestByStage.put(stage, id);
            }
            evictOverCap();
        }
        LOG.info("loaded checkpoint " + id + " (stage " + manifest.stage() + ", step " + manifest.step() + ", "
                + model.parameterCount + " parameters, context " + model.blockSize() + ")");
    }

    /** Unloads the oldest models that are not the newest of their stage until the cap holds. */
    private void evictOverCap() {
        while (loaded.size() > Math.max(1, maxLoaded)) {
            String victim = null;
            for (String id : loaded.keySet()) {
                if (!newestByStage.containsValue(id)) {
                    victim = id;
                    break;
                }
            }
            if (victim == null) return; // every loaded model is some stage's newest: keep them all
            LOG.info("unloading " + victim + " (more than " + maxLoaded + " models loaded)");
            loaded.remove(victim).unload();
        }
    }

    /** Campaign sequences each model decodes at once; checked at start-up, so a bad setting is not found per model. */
    public int backgroundSequences() {
        if (maxBackground < 1 || maxBackground > slots) {
            throw new IllegalStateException("chat.generations.max-active must be from 1 to chat.models.slots (" + slots
                    + "), got " + maxBackground);
        }
        return maxBackground;
    }

    /** True while {@code name} is a checkpoint that will be loaded once its tokenizer arrives. */
    public synchronized boolean loading(String name) {
        return waiting.containsKey(name);
    }

    /** The model a request names: a loaded checkpoint id or a stage alias. */
    /**
     * The reward model named (its id, or {@code reward} for the newest), or the newest when {@code name} is null;
     * a 400 naming the parameter when there is none.
     */
    public synchronized RewardModel resolveReward(String name) {
        RewardModel r = name == null || name.equals(REWARD_STAGE) ? newestReward() : rewards.get(name);
        if (r == null) {
            throw OpenAiError.invalid(
                    name == null ? "best_of" : "reward_model",
                    rewards.isEmpty()
                            ? "best_of needs a reward model to rank the answers, and none is loaded (train a reward stage first)."
                            : "The reward model '" + name + "' is not loaded. Loaded: "
                                    + String.join(", ", rewards.keySet()) + ".");
        }
        return r;
    }

    /** The loaded reward models' ids, newest first. */
    public synchronized List<String> rewardModels() {
        List<String> ids = new ArrayList<>(rewards.keySet());
        ids.sort(Comparator.comparingLong((String id) -> arrival.getOrDefault(id, 0L))
                .reversed());
        return ids;
    }

    private RewardModel newestReward() {
        List<String> ids = rewardModels();
        return ids.isEmpty() ? null : rewards.get(ids.get(0));
    }

    public synchronized LoadedModel resolve(String name) {
        if (name == null || name.isBlank())
            throw OpenAiError.invalid("model", "'model' is required (see GET /v1/models)");
        LoadedModel m = loaded.get(name);
        if (m == null && newestByStage.containsKey(name)) m = loaded.get(newestByStage.get(name));
        if (m == null) {
            String hint = known.containsKey(name)
                    ? " (checkpoint " + name + " is known but not loaded: "
                            + (waiting.containsKey(name)
                                    ? "its tokenizer has not arrived"
                                    : "over the cap of " + maxLoaded)
                            + ")"
                    : "";
            throw new OpenAiError(
                    404,
                    "invalid_request_error",
                    "model",
                    "model_not_found",
                    "The model '" + name + "' does not exist" + hint + ". Available: " + names() + ".");
        }
        return m;
    }

    /** Loaded models, oldest first. */
    public synchronized List<LoadedModel> loaded() {
        return new ArrayList<>(loaded.values());
    }

    /** Stage → checkpoint id of its newest loaded checkpoint, the most trained stage first (the page's default). */
    public synchronized Map<String, String> aliases() {
        Map<String, String> out = new LinkedHashMap<>();
        newestByStage.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> stageRank(e.getKey()))
                        .thenComparing(Map.Entry::getKey))
                .forEach(e -> {
                    if (loaded.containsKey(e.getValue())) out.put(e.getKey(), e.getValue());
                });
        return out;
    }

    /** Loaded models and the stage aliases, read together (a checkpoint arriving in between cannot break the pair). */
    public record Snapshot(List<LoadedModel> loaded, Map<String, LoadedModel> aliases) {}

    public synchronized Snapshot snapshot() {
        Map<String, LoadedModel> byAlias = new LinkedHashMap<>();
        aliases().forEach((stage, id) -> byAlias.put(stage, loaded.get(id)));
        return new Snapshot(loaded(), byAlias);
    }

    private static final List<String> STAGES_MOST_TRAINED_FIRST = List.of("rlhf", "dpo", "sft", "pretrain");

    private static int stageRank(String stage) {
        int i = STAGES_MOST_TRAINED_FIRST.indexOf(stage);
        return i < 0 ? STAGES_MOST_TRAINED_FIRST.size() : i;
    }

    public synchronized CheckpointManifest manifest(String id) {
        return known.get(id);
    }

    /** Every checkpoint seen: loaded, waiting, known-only or rejected (with the reason), for operators and tests. */
    public synchronized Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loaded", List.copyOf(loaded.keySet()));
        out.put("rewardModels", List.copyOf(rewards.keySet()));
        out.put("aliases", aliases());
        out.put("waitingForTokenizer", List.copyOf(waiting.keySet()));
        out.put("known", List.copyOf(known.keySet()));
        out.put("rejected", new LinkedHashMap<>(rejected));
        out.put("tokenizers", List.copyOf(tokenizers.keySet()));
        out.put("maxLoaded", maxLoaded);
        out.put("memoryBudgetMb", memoryBudget() >> 20);
        out.put("memoryInUseMb", memoryInUse() >> 20);
        return out;
    }

    private String names() {
        List<String> names = new ArrayList<>(aliases().keySet());
        names.addAll(loaded.keySet());
        return names.isEmpty() ? "none yet" : String.join(", ", names);
    }

    private static void delete(Path blob) {
        try {
            if (blob != null) Files.deleteIfExists(blob);
        } catch (IOException e) {
            LOG.warning("cannot delete " + blob + ": " + e.getMessage());
        }
    }
}
