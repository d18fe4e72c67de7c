package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.service.ApiError;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.TokenizerRepository.TokenizerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns a {@code POST /api/jobs} body into a {@link JobPlan}, or refuses it with every problem listed, before any
 * work starts. Defaults (documented on the dashboard and in {@link JobRequest}):
 * <ul>
 *   <li>tokenizerId: the newest tokenizer that has training shards; model.dropout 0; gradAccum 1;</li>
 *   <li>minLr lr/10; warmupSteps min(100, steps/10); weightDecay 0.1; beta1 0.9; beta2 0.99 (nanoGPT's choice
 *       for small models); clip 1.0;</li>
 *   <li>evalEvery min(250, max(1, steps/10)); evalBatches 20; checkpointEvery min(500, steps); seed 1337.</li>
 * </ul>
 */
public final class JobValidator {
    public static final String PRETRAIN = "pretrain";
    public static final String SFT = "sft";
    /** Learning from rankings: a Bradley-Terry reward model, and direct preference optimization. */
    public static final String REWARD = "reward", DPO = "dpo";
    /** Stages a later trainer will run; named so the error can say "not yet" rather than "unknown". */
    public static final List<String> LATER_STAGES = List.of("rlhf");

    static final int MAX_EPOCHS = 1000;

    // Ranges: wide enough for anything this CPU trainer can run, narrow enough to catch typos (lr 10, steps 1e9).
    static final int MAX_LAYERS = 48, MAX_HEADS = 64, MAX_EMBD = 4096, MAX_BLOCK = 4096;
    static final int MAX_STEPS = 10_000_000, MAX_BATCH = 1024, MAX_ACCUM = 1024, MAX_EVAL_BATCHES = 1000;

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private final Function<String, Optional<TokenizerInfo>> tokenizer;
    private final Supplier<List<TokenizerInfo>> tokenizers;
    private final ShardStore store;
    private final Function<String, Optional<CheckpointRow>> checkpoint;
    private final MemoryBudget memory;
    private final SftSource sft;

    /** What an sft job needs besides the pre-training checks: tokenizer definitions and the instruction store. */
    public record SftSource(Function<String, Optional<String>> definition, InstructionRepository instructions) {}

    private PreferenceValidator preferences;

    public JobValidator(
            Function<String, Optional<TokenizerInfo>> tokenizer,
            Supplier<List<TokenizerInfo>> tokenizers,
            ShardStore store,
            Function<String, Optional<CheckpointRow>> checkpoint,
            MemoryBudget memory) {
        this(tokenizer, tokenizers, store, checkpoint, memory, null);
    }

    public JobValidator(
            Function<String, Optional<TokenizerInfo>> tokenizer,
            Supplier<List<TokenizerInfo>> tokenizers,
            ShardStore store,
            Function<String, Optional<CheckpointRow>> checkpoint,
            MemoryBudget memory,
            SftSource sft) {
        this.tokenizer = tokenizer;
        this.tokenizers = tokenizers;
        this.store = store;
        this.checkpoint = checkpoint;
        this.memory = memory;
        this.sft = sft;
    }

    /** Enables the reward and dpo stages (they read the rankings topic and need tokenizer definitions). */
    JobValidator withPreferences(PreferenceValidator preferences) {
        this.preferences = preferences;
        return this;
    }

    /** Reads a request body strictly: a misspelled field is an error, not a silently ignored setting. */
    public static JobRequest parse(String json) {
        if (json == null || json.isBlank()) throw JobValidator.refused("the request body is empty: send a JSON job");
        try {
            JobRequest r = STRICT.readValue(json, JobRequest.class);
            if (r == null) throw JobValidator.refused("the request body is null: send a JSON job");
            return r;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null
                    ? ""
                    : e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw JobValidator.refused("unknown field '" + path(e) + "' (known: " + known + ")");
        } catch (JsonMappingException e) {
            String where = path(e);
            throw JobValidator.refused((where.isEmpty() ? "" : "field '" + where + "': ") + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw JobValidator.refused("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** @throws ApiError (400) listing every problem found, in {@code problems} */
    public JobPlan validate(JobRequest r) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();

        if (r.cutoff() != null && r.stage() != null && !PRETRAIN.equals(r.stage())) {
            throw refused("cutoff restricts a pretrain job's documents by date; stage '" + r.stage() + "' takes none");
        }
        if (REWARD.equals(r.stage()) || DPO.equals(r.stage())) {
            if (preferences == null)
                throw JobValidator.refused("stage '" + r.stage() + "' is not enabled on this trainer");
            return preferences.validate(r);
        }
        if (r.preference() != null) problems.add("preference settings belong to the reward and dpo stages only");
        if (SFT.equals(r.stage())) return validateSft(r);
        if (r.stage() == null) problems.add("stage is required (pretrain, sft, reward or dpo)");
        else if (LATER_STAGES.contains(r.stage()))
            problems.add("stage '" + r.stage()
                    + "' is not supported by this trainer yet: only pretrain, sft, reward and dpo");
        else if (!r.stage().equals(PRETRAIN))
            problems.add("unknown stage '" + r.stage() + "': expected pretrain, sft, reward or dpo");
        if (r.data() != null) problems.add("data selects instruction sets: it belongs to an sft job");
        if (r.epochs() != null) problems.add("epochs is for sft jobs: a pretrain job runs steps");

        JobRequest.Model m = r.model();
        if (m == null) {
            problems.add("model is required: {nLayer, nHead, nEmbd, blockSize, dropout}");
            m = new JobRequest.Model(null, null, null, null, null, null);
        }
        int nLayer = intIn(problems, "model.nLayer", m.nLayer(), null, 1, MAX_LAYERS);
        int nHead = intIn(problems, "model.nHead", m.nHead(), null, 1, MAX_HEADS);
        int nEmbd = intIn(problems, "model.nEmbd", m.nEmbd(), null, 1, MAX_EMBD);
        int blockSize = intIn(problems, "model.blockSize", m.blockSize(), null, 2, MAX_BLOCK);
        double dropout = realIn(problems, "model.dropout", m.dropout(), 0.0, 0.0, 0.9, true);
        if (nHead > 0 && nEmbd > 0 && nEmbd % nHead != 0) {
            problems.add("model.nHead (" + nHead + ") must divide model.nEmbd (" + nEmbd + ")");
        }

        int steps = intIn(problems, "steps", r.steps(), null, 1, MAX_STEPS);
        int batchSize = intIn(problems, "batchSize", r.batchSize(), null, 1, MAX_BATCH);
        int gradAccum = intIn(problems, "gradAccum", r.gradAccum(), 1, 1, MAX_ACCUM);
        double lr = realIn(problems, "lr", r.lr(), null, 0.0, 1.0, false);
        double minLr = realIn(problems, "minLr", r.minLr(), lr > 0 ? lr / 10 : 0.0, 0.0, 1.0, true);
        if (lr > 0 && minLr > lr) problems.add("minLr (" + minLr + ") must not exceed lr (" + lr + ")");
        int warmup = intIn(
                problems,
                "warmupSteps",
                r.warmupSteps(),
                Math.min(100, Math.max(0, steps / 10)),
                0,
                Math.max(0, steps));
        double weightDecay = realIn(problems, "weightDecay", r.weightDecay(), 0.1, 0.0, 1.0, true);
        double beta1 = realIn(problems, "beta1", r.beta1(), 0.9, 0.0, 0.999999, true);
        double beta2 = realIn(problems, "beta2", r.beta2(), 0.99, 0.0, 0.999999, true);
        double clip = realIn(problems, "clip", r.clip(), 1.0, 0.0, 1000.0, true);
        int evalEvery =
                intIn(problems, "evalEvery", r.evalEvery(), Math.min(250, Math.max(1, steps / 10)), 1, MAX_STEPS);
        int evalBatches = intIn(problems, "evalBatches", r.evalBatches(), 20, 1, MAX_EVAL_BATCHES);
        int checkpointEvery = intIn(
                problems, "checkpointEvery", r.checkpointEvery(), Math.max(1, Math.min(500, steps)), 1, MAX_STEPS);
        long seed = r.seed() == null ? 1337L : r.seed();
        LocalDate cutoff = null;
        if (r.cutoff() != null) {
            try {
                cutoff = LocalDate.parse(r.cutoff());
            } catch (DateTimeParseException e) {
                problems.add("cutoff '" + r.cutoff() + "' is not an ISO date (yyyy-mm-dd)");
            }
        }

        // The data: which tokenizer, how large its vocabulary, whether the shards hold enough tokens.
        TokenizerInfo tok = null;
        ShardStore.Stats stats = null;
        if (r.tokenizerId() != null) {
            tok = tokenizer.apply(r.tokenizerId()).orElse(null);
            stats = store.stats(r.tokenizerId());
            if (tok == null) {
                problems.add("unknown tokenizer '" + r.tokenizerId() + "'"
                        + (stats != null
                                ? ": shards arrived for it but its definition has not (is it still on the tokenizers topic?)"
                                : ""));
            } else if (stats == null || stats.trainTokens() == 0) {
                problems.add("no training shards for tokenizer '" + r.tokenizerId()
                        + "' yet: tokenize a corpus with it first");
            }
        } else {
            for (TokenizerInfo t : tokenizers.get()) {
                ShardStore.Stats s = store.stats(t.id());
                if (s != null && s.trainTokens() > 0) {
                    tok = t;
                    stats = s;
                    break;
                }
            }
            if (tok == null)
                problems.add(
                        "no tokenizer has training shards yet: ingest and tokenize a corpus first (or name tokenizerId)");
        }
        int vocabSize = tok == null || stats == null ? 0 : tok.vocabSize();
        if (tok != null && stats != null) {
            details.put("tokenizerId", tok.id());
            if (m.vocabSize() != null && m.vocabSize() != tok.vocabSize()) {
                problems.add("model.vocabSize " + m.vocabSize() + " does not match tokenizer " + tok.id()
                        + "'s vocabulary of " + tok.vocabSize() + " (leave it out to take the tokenizer's)");
            }
            if (stats.maxTokenId() >= tok.vocabSize()) {
                problems.add("the shards of tokenizer " + tok.id() + " hold token id " + stats.maxTokenId()
                        + ", outside its vocabulary of " + tok.vocabSize());
            }
            if (blockSize > 0 && !StoreBatchSource.fits(stats.trainTokens(), blockSize)) {
                problems.add("model.blockSize " + blockSize + " needs windows of " + (blockSize + 1)
                        + " tokens but the training split of " + tok.id() + " holds only " + stats.trainTokens()
                        + " tokens");
            }
            if (cutoff != null) cutoffProblems(problems, details, tok.id(), stats, cutoff, blockSize);
            // Without a validation loss nobody can tell learning from memorizing: refuse rather than train blind.
            if (blockSize > 0 && !StoreBatchSource.fits(stats.valTokens(), blockSize)) {
                problems.add("model.blockSize " + blockSize + " needs windows of " + (blockSize + 1)
                        + " tokens but the validation split of " + tok.id() + " holds only " + stats.valTokens()
                        + " tokens: ingest more documents or use a smaller blockSize");
            }
        }

        // Continue from a parent checkpoint: it must exist here, with the same architecture and tokenizer.
        if (r.parent() != null) {
            Optional<CheckpointRow> parent = checkpoint.apply(r.parent());
            if (parent.isEmpty()) {
                problems.add("parent checkpoint '" + r.parent() + "' does not exist");
            } else if (!Files.isReadable(Path.of(parent.get().path()))) {
                problems.add("parent checkpoint '" + r.parent()
                        + "' is registered but its file is missing from this trainer's volume");
            } else {
                CheckpointRow p = parent.get();
                if (tok != null && !p.tokenizerId().equals(tok.id())) {
                    problems.add("parent checkpoint '" + r.parent() + "' was trained with tokenizer " + p.tokenizerId()
                            + ", not " + tok.id());
                }
                GptConfig pc = parentConfig(p);
                if (pc != null
                        && (pc.nLayer() != nLayer
                                || pc.nHead() != nHead
                                || pc.nEmbd() != nEmbd
                                || pc.blockSize() != blockSize
                                || (vocabSize > 0 && pc.vocabSize() != vocabSize))) {
                    problems.add("parent checkpoint '" + r.parent() + "' has model " + describe(pc)
                            + "; the request asks for " + "nLayer=" + nLayer + " nHead=" + nHead + " nEmbd=" + nEmbd
                            + " blockSize=" + blockSize);
                }
            }
        }

        if (!problems.isEmpty()) throw problems(problems.get(0), problems, details);

        GptConfig config;
        String tooBig;
        try {
            config = new GptConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, (float) dropout);
            tooBig = memory.check(config, batchSize);
        } catch (IllegalArgumentException e) {
            // gpt refuses shapes it cannot even lay out (e.g. more parameters than one buffer holds)
            throw problems("the model cannot be built: " + e.getMessage(), List.of(e.getMessage()), details);
        }
        if (tooBig != null) {
            details.put("needBytes", memory.needBytes(config, batchSize));
            details.put("availableBytes", memory.availableBytes());
            throw problems(tooBig, List.of(tooBig), details);
        }
        return new JobPlan(
                PRETRAIN,
                tok.id(),
                config,
                steps,
                batchSize,
                gradAccum,
                (float) lr,
                (float) minLr,
                warmup,
                (float) weightDecay,
                (float) beta1,
                (float) beta2,
                (float) clip,
                evalEvery,
                evalBatches,
                checkpointEvery,
                seed,
                r.parent(),
                null,
                null,
                cutoff == null ? null : cutoff.toString());
    }

    /** A cutoff must leave enough dated documents in both splits; shards without per-document dates cannot be selected. */
    private void cutoffProblems(
            List<String> problems,
            Map<String, Object> details,
            String tokenizerId,
            ShardStore.Stats stats,
            LocalDate cutoff,
            int blockSize) {
        DocumentSelection train, val;
        try {
            train = DocumentSelection.of(
                    store.entries(tokenizerId, TokenShard.TRAIN, stats.trainTokens()), null, cutoff);
            val = DocumentSelection.of(store.entries(tokenizerId, TokenShard.VAL, stats.valTokens()), null, cutoff);
        } catch (DocumentSelection.UndatedShards e) {
            problems.add("cutoff: " + e.getMessage());
            return;
        }
        details.put("cutoff", cutoff.toString());
        details.put("selectedTrainDocuments", train.documents());
        details.put("selectedTrainTokens", train.tokens());
        details.put("undatedDocumentsExcluded", train.undated() + val.undated());
        if (train.isEmpty()) {
            problems.add("cutoff " + cutoff + " selects no training documents: none of tokenizer " + tokenizerId
                    + "'s documents is dated on or before it (" + train.undated()
                    + " undated ones are always left out)");
        } else if (blockSize > 0 && !StoreBatchSource.fits(train.tokens(), blockSize)) {
            problems.add("cutoff " + cutoff + " selects " + train.tokens()
                    + " training tokens, fewer than one window of " + (blockSize + 1));
        }
        if (!train.isEmpty() && blockSize > 0 && !StoreBatchSource.fits(val.tokens(), blockSize)) {
            problems.add(
                    "cutoff " + cutoff + " selects " + val.tokens() + " validation tokens, fewer than one window of "
                            + (blockSize + 1) + ": a later cutoff or more documents");
        }
    }

    /**
     * An sft job: the parent's model and tokenizer (which must carry the chat template's special tokens), the train
     * split of the named instruction sets plus identity turns, steps or epochs. Defaults: batchSize 16, minLr lr/10,
     * warmupSteps min(100, steps/10), weightDecay 0.1 (betas and clip as pretrain), dropout the parent's,
     * evalEvery min(250, max(1, steps/10)), checkpointEvery steps, identity true, evalMrs all.
     */
    private JobPlan validateSft(JobRequest r) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        if (sft == null) throw JobValidator.refused("this trainer has no instruction store: sft jobs cannot run here");
        if (r.tokenizerId() != null)
            problems.add("tokenizerId: an sft job uses its parent checkpoint's tokenizer; leave it out");

        // The parent: its model, tokenizer and model card (for the identity turns).
        CheckpointRow parent = null;
        CheckpointManifest parentManifest = null;
        GptConfig pc = null;
        if (r.parent() == null) {
            problems.add("parent is required for sft: the id of the pre-trained checkpoint to fine-tune");
        } else {
            parent = checkpoint.apply(r.parent()).orElse(null);
            if (parent == null) problems.add("parent checkpoint '" + r.parent() + "' does not exist");
            else if (!Files.isReadable(Path.of(parent.path()))) {
                problems.add("parent checkpoint '" + r.parent()
                        + "' is registered but its file is missing from this trainer's volume");
                parent = null;
            } else {
                try {
                    parentManifest = dev.scratchlm.contracts.Json.read(parent.manifest(), CheckpointManifest.class);
                } catch (RuntimeException e) {
                    problems.add(
                            "parent checkpoint '" + r.parent() + "' has an unreadable manifest: " + e.getMessage());
                }
                pc = parentConfig(parent);
                if (pc == null)
                    problems.add("parent checkpoint '" + r.parent() + "' has no readable model in its manifest");
            }
        }

        // The tokenizer must render chats: SFT examples are
        // <|system|>...<|end|><|user|>...<|end|><|assistant|>...<|end|>.
        ChatTemplate template = null;
        if (parent != null) {
            String tokId = parent.tokenizerId();
            details.put("tokenizerId", tokId);
            TokenizerInfo tok = tokenizer.apply(tokId).orElse(null);
            if (tok == null) {
                problems.add("tokenizer '" + tokId
                        + "' of the parent checkpoint has not reached this trainer (tokenizers topic)");
            } else {
                List<String> missing = ChatTemplate.SPECIAL_TOKENS.stream()
                        .filter(n -> !tok.specialTokens().containsKey(n))
                        .toList();
                if (!missing.isEmpty()) {
                    problems.add("tokenizer '" + tokId + "' lacks the chat template's special tokens " + missing
                            + ": sft renders every example with them; train a tokenizer with "
                            + ChatTemplate.SPECIAL_TOKENS
                            + " and pre-train on it");
                    details.put("missingSpecialTokens", missing);
                } else {
                    Optional<String> def = sft.definition().apply(tokId);
                    if (def.isEmpty()) {
                        problems.add("tokenizer '" + tokId
                                + "' arrived without its definition: the trainer cannot encode examples with it");
                    } else {
                        try {
                            template = new ChatTemplate(ScratchFormat.fromText(def.get()));
                        } catch (RuntimeException e) {
                            problems.add("tokenizer '" + tokId + "' cannot render chats: " + e.getMessage());
                        }
                    }
                }
            }
        }

        // The model is the parent's; only dropout may change. Sizes given anyway must match.
        JobRequest.Model m = r.model() == null ? new JobRequest.Model(null, null, null, null, null, null) : r.model();
        double dropout =
                pc == null ? 0 : realIn(problems, "model.dropout", m.dropout(), (double) pc.dropout(), 0.0, 0.9, true);
        if (pc != null
                && ((m.nLayer() != null && m.nLayer() != pc.nLayer())
                        || (m.nHead() != null && m.nHead() != pc.nHead())
                        || (m.nEmbd() != null && m.nEmbd() != pc.nEmbd())
                        || (m.blockSize() != null && m.blockSize() != pc.blockSize())
                        || (m.vocabSize() != null && m.vocabSize() != pc.vocabSize()))) {
            problems.add("parent checkpoint '" + r.parent() + "' has model " + describe(pc)
                    + ": an sft job keeps its shape (leave model out, or set only model.dropout)");
        }

        // The data.
        JobRequest.Data data = r.data();
        List<String> datasets = data == null || data.datasets() == null ? List.of() : data.datasets();
        if (datasets.isEmpty()) problems.add("data.datasets is required: the instruction sets to train on");
        Map<String, Map<String, Object>> counts = sft.instructions().counts();
        details.put("instructionSets", counts);
        for (String d : datasets) {
            Map<String, Object> c = counts.get(d);
            if (c == null || !(c.get(InstructionExample.TRAIN) instanceof Number n) || n.longValue() == 0) {
                problems.add("instruction set '" + d + "' has no training examples on this trainer (known: "
                        + counts.keySet() + ")");
            }
        }
        boolean identity = data == null || data.identity() == null || data.identity();
        int evalMrs = intIn(problems, "data.evalMrs", data == null ? null : data.evalMrs(), 100_000, 0, 100_000);

        if (r.steps() != null && r.epochs() != null) problems.add("give steps or epochs, not both");
        if (r.steps() == null && r.epochs() == null) problems.add("steps or epochs is required");
        Double epochs = r.epochs();
        if (epochs != null && (epochs.isNaN() || epochs <= 0 || epochs > MAX_EPOCHS))
            problems.add("epochs must be in (0, " + MAX_EPOCHS + "], got " + epochs);
        int batchSize = intIn(problems, "batchSize", r.batchSize(), 16, 1, MAX_BATCH);
        int gradAccum = intIn(problems, "gradAccum", r.gradAccum(), 1, 1, MAX_ACCUM);
        double lr = realIn(problems, "lr", r.lr(), null, 0.0, 1.0, false);
        if (!problems.isEmpty()) throw JobValidator.problems(problems.get(0), problems, details);

        GptConfig config =
                new GptConfig(pc.vocabSize(), pc.blockSize(), pc.nLayer(), pc.nHead(), pc.nEmbd(), (float) dropout);
        // Render and pack now: the job's length in steps, and every too-long example counted before anything runs.
        SftData prepared;
        try {
            prepared = SftData.prepare(
                    sft.instructions(),
                    template,
                    parentManifest,
                    datasets,
                    identity,
                    config.blockSize(),
                    evalMrs,
                    r.seed() == null ? 1337L : r.seed());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw JobValidator.problems(e.getMessage(), List.of(e.getMessage()), details);
        }
        details.put("rowsPerEpoch", prepared.train.rowsPerEpoch());
        int steps;
        if (epochs != null) {
            steps = (int)
                    Math.max(1, Math.ceil(epochs * prepared.train.rowsPerEpoch() / ((double) batchSize * gradAccum)));
        } else {
            steps = intIn(problems, "steps", r.steps(), null, 1, MAX_STEPS);
        }
        double minLr = realIn(problems, "minLr", r.minLr(), lr / 10, 0.0, 1.0, true);
        if (minLr > lr) problems.add("minLr (" + minLr + ") must not exceed lr (" + lr + ")");
        int warmup = intIn(
                problems,
                "warmupSteps",
                r.warmupSteps(),
                Math.min(100, Math.max(0, steps / 10)),
                0,
                Math.max(0, steps));
        double weightDecay = realIn(problems, "weightDecay", r.weightDecay(), 0.1, 0.0, 1.0, true);
        double beta1 = realIn(problems, "beta1", r.beta1(), 0.9, 0.0, 0.999999, true);
        double beta2 = realIn(problems, "beta2", r.beta2(), 0.99, 0.0, 0.999999, true);
        double clip = realIn(problems, "clip", r.clip(), 1.0, 0.0, 1000.0, true);
        int evalEvery =
                intIn(problems, "evalEvery", r.evalEvery(), Math.min(250, Math.max(1, steps / 10)), 1, MAX_STEPS);
        int evalBatches = intIn(problems, "evalBatches", r.evalBatches(), 20, 1, MAX_EVAL_BATCHES);
        int checkpointEvery = intIn(problems, "checkpointEvery", r.checkpointEvery(), steps, 1, MAX_STEPS);
        if (!problems.isEmpty()) throw JobValidator.problems(problems.get(0), problems, details);
        String tooBig = memory.check(config, batchSize);
        if (tooBig != null) throw JobValidator.problems(tooBig, List.of(tooBig), details);
        return new JobPlan(
                SFT,
                parent.tokenizerId(),
                config,
                steps,
                batchSize,
                gradAccum,
                (float) lr,
                (float) minLr,
                warmup,
                (float) weightDecay,
                (float) beta1,
                (float) beta2,
                (float) clip,
                evalEvery,
                evalBatches,
                checkpointEvery,
                r.seed() == null ? 1337L : r.seed(),
                r.parent(),
                new JobPlan.Sft(List.copyOf(datasets), identity, epochs, evalMrs, prepared.trainExamples),
                null);
    }

    private static GptConfig parentConfig(CheckpointRow p) {
        try {
            Map<?, ?> manifest = dev.scratchlm.contracts.Json.read(p.manifest(), Map.class);
            Object model = manifest.get("model");
            return dev.scratchlm.contracts.Json.MAPPER.convertValue(model, GptConfig.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String describe(GptConfig c) {
        return "nLayer=" + c.nLayer() + " nHead=" + c.nHead() + " nEmbd=" + c.nEmbd() + " blockSize=" + c.blockSize()
                + " vocabSize=" + c.vocabSize();
    }

    private static int intIn(List<String> problems, String name, Integer value, Integer fallback, int min, int max) {
        if (value == null) {
            if (fallback == null) {
                problems.add(name + " is required, in " + min + ".." + max);
                return 0;
            }
            return fallback;
        }
        if (value < min || value > max) {
            problems.add(name + " must be in " + min + ".." + max + ", got " + value);
            return 0;
        }
        return value;
    }

    private static double realIn(
            List<String> problems,
            String name,
            Double value,
            Double fallback,
            double min,
            double max,
            boolean minInclusive) {
        if (value == null) {
            if (fallback == null) {
                problems.add(name + " is required, in " + (minInclusive ? "[" : "(") + min + ", " + max + "]");
                return 0;
            }
            return fallback;
        }
        boolean low = minInclusive ? value < min : value <= min;
        if (value.isNaN() || low || value > max) {
            problems.add(name + " must be in " + (minInclusive ? "[" : "(") + min + ", " + max + "], got " + value);
            return 0;
        }
        return value;
    }

    /** A 400 whose {@code problems} lists every problem found (the dashboard shows them all). */
    static ApiError problems(String first, List<String> problems, Map<String, Object> details) {
        ApiError e = ApiError.badRequest(first).with("problems", List.copyOf(problems));
        details.forEach(e::with);
        return e;
    }

    static ApiError refused(String problem) {
        return problems(problem, List.of(problem), Map.of());
    }
}
