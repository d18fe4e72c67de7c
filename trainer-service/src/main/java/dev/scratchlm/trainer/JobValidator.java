package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.service.ApiError;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.TokenizerRepository.TokenizerInfo;

import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Stages a later trainer will run; named so the error can say "not yet" rather than "unknown". */
    public static final List<String> LATER_STAGES = List.of("sft", "rlhf", "dpo", "reward");

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

    public JobValidator(Function<String, Optional<TokenizerInfo>> tokenizer, Supplier<List<TokenizerInfo>> tokenizers,
                        ShardStore store, Function<String, Optional<CheckpointRow>> checkpoint, MemoryBudget memory) {
        this.tokenizer = tokenizer;
        this.tokenizers = tokenizers;
        this.store = store;
        this.checkpoint = checkpoint;
        this.memory = memory;
    }

    /** Reads a request body strictly: a misspelled field is an error, not a silently ignored setting. */
    public static JobRequest parse(String json) {
        if (json == null || json.isBlank()) throw JobValidator.refused("the request body is empty: send a JSON job");
        try {
            JobRequest r = STRICT.readValue(json, JobRequest.class);
            if (r == null) throw JobValidator.refused("the request body is null: send a JSON job");
            return r;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString)
                    .sorted().collect(Collectors.joining(", "));
            throw JobValidator.refused("unknown field '" + path(e) + "' (known: " + known + ")");
        } catch (JsonMappingException e) {
            String where = path(e);
            throw JobValidator.refused((where.isEmpty() ? "" : "field '" + where + "': ") + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw JobValidator.refused("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** @throws ApiError (400) listing every problem found, in {@code problems} */
    public JobPlan validate(JobRequest r) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();

        if (r.stage() == null) problems.add("stage is required (pretrain)");
        else if (LATER_STAGES.contains(r.stage())) problems.add("stage '" + r.stage() + "' is not supported by this trainer yet: only pretrain");
        else if (!r.stage().equals(PRETRAIN)) problems.add("unknown stage '" + r.stage() + "': expected pretrain");

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
        int warmup = intIn(problems, "warmupSteps", r.warmupSteps(), Math.min(100, Math.max(0, steps / 10)), 0, Math.max(0, steps));
        double weightDecay = realIn(problems, "weightDecay", r.weightDecay(), 0.1, 0.0, 1.0, true);
        double beta1 = realIn(problems, "beta1", r.beta1(), 0.9, 0.0, 0.999999, true);
        double beta2 = realIn(problems, "beta2", r.beta2(), 0.99, 0.0, 0.999999, true);
        double clip = realIn(problems, "clip", r.clip(), 1.0, 0.0, 1000.0, true);
        int evalEvery = intIn(problems, "evalEvery", r.evalEvery(), Math.min(250, Math.max(1, steps / 10)), 1, MAX_STEPS);
        int evalBatches = intIn(problems, "evalBatches", r.evalBatches(), 20, 1, MAX_EVAL_BATCHES);
        int checkpointEvery = intIn(problems, "checkpointEvery", r.checkpointEvery(), Math.max(1, Math.min(500, steps)), 1, MAX_STEPS);
        long seed = r.seed() == null ? 1337L : r.seed();

        // The data: which tokenizer, how large its vocabulary, whether the shards hold enough tokens.
        TokenizerInfo tok = null;
        ShardStore.Stats stats = null;
        if (r.tokenizerId() != null) {
            tok = tokenizer.apply(r.tokenizerId()).orElse(null);
            stats = store.stats(r.tokenizerId());
            if (tok == null) {
                problems.add("unknown tokenizer '" + r.tokenizerId() + "'" + (stats != null
                        ? ": shards arrived for it but its definition has not (is it still on the tokenizers topic?)" : ""));
            } else if (stats == null || stats.trainTokens() == 0) {
                problems.add("no training shards for tokenizer '" + r.tokenizerId() + "' yet: tokenize a corpus with it first");
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
            if (tok == null) problems.add("no tokenizer has training shards yet: ingest and tokenize a corpus first (or name tokenizerId)");
        }
        int vocabSize = tok == null || stats == null ? 0 : tok.vocabSize();
        if (tok != null && stats != null) {
            details.put("tokenizerId", tok.id());
            if (m.vocabSize() != null && m.vocabSize() != tok.vocabSize()) {
                problems.add("model.vocabSize " + m.vocabSize() + " does not match tokenizer " + tok.id() + "'s vocabulary of "
                        + tok.vocabSize() + " (leave it out to take the tokenizer's)");
            }
            if (stats.maxTokenId() >= tok.vocabSize()) {
                problems.add("the shards of tokenizer " + tok.id() + " hold token id " + stats.maxTokenId()
                        + ", outside its vocabulary of " + tok.vocabSize());
            }
            if (blockSize > 0 && !StoreBatchSource.fits(stats.trainTokens(), blockSize)) {
                problems.add("model.blockSize " + blockSize + " needs windows of " + (blockSize + 1) + " tokens but the training split of "
                        + tok.id() + " holds only " + stats.trainTokens() + " tokens");
            }
            // Without a validation loss nobody can tell learning from memorizing: refuse rather than train blind.
            if (blockSize > 0 && !StoreBatchSource.fits(stats.valTokens(), blockSize)) {
                problems.add("model.blockSize " + blockSize + " needs windows of " + (blockSize + 1) + " tokens but the validation split of "
                        + tok.id() + " holds only " + stats.valTokens() + " tokens: ingest more documents or use a smaller blockSize");
            }
        }

        // Continue from a parent checkpoint: it must exist here, with the same architecture and tokenizer.
        if (r.parent() != null) {
            Optional<CheckpointRow> parent = checkpoint.apply(r.parent());
            if (parent.isEmpty()) {
                problems.add("parent checkpoint '" + r.parent() + "' does not exist");
            } else if (!Files.isReadable(Path.of(parent.get().path()))) {
                problems.add("parent checkpoint '" + r.parent() + "' is registered but its file is missing from this trainer's volume");
            } else {
                CheckpointRow p = parent.get();
                if (tok != null && !p.tokenizerId().equals(tok.id())) {
                    problems.add("parent checkpoint '" + r.parent() + "' was trained with tokenizer " + p.tokenizerId() + ", not " + tok.id());
                }
                GptConfig pc = parentConfig(p);
                if (pc != null && (pc.nLayer() != nLayer || pc.nHead() != nHead || pc.nEmbd() != nEmbd
                        || pc.blockSize() != blockSize || (vocabSize > 0 && pc.vocabSize() != vocabSize))) {
                    problems.add("parent checkpoint '" + r.parent() + "' has model " + describe(pc) + "; the request asks for "
                            + "nLayer=" + nLayer + " nHead=" + nHead + " nEmbd=" + nEmbd + " blockSize=" + blockSize);
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
        return new JobPlan(PRETRAIN, tok.id(), config, steps, batchSize, gradAccum, (float) lr, (float) minLr, warmup,
                (float) weightDecay, (float) beta1, (float) beta2, (float) clip, evalEvery, evalBatches, checkpointEvery,
                seed, r.parent());
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

    private static double realIn(List<String> problems, String name, Double value, Double fallback, double min,
                                 double max, boolean minInclusive) {
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
