package dev.scratchlm.trainer;

import static dev.scratchlm.trainer.ShardStoreTest.range;
import static dev.scratchlm.trainer.ShardStoreTest.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.scratchlm.service.ApiError;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.TokenizerRepository.TokenizerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobValidatorTest {
    static final String MODEL = "\"model\": {\"nLayer\": 2, \"nHead\": 2, \"nEmbd\": 32, \"blockSize\": 16}";

    @TempDir
    Path dir;

    ShardStore store;
    final Map<String, TokenizerInfo> tokenizers = new HashMap<>();
    final Map<String, CheckpointRow> checkpoints = new HashMap<>();
    MemoryBudget budget = new MemoryBudget(3500L << 20, 256L << 20, 1L << 30, 2);

    @BeforeEach
    void data() {
        store = new ShardStore(dir.resolve("shards"));
        store.append(shard("a1", "bytes", "train", 4, range(0, 256)));
        store.append(shard("a2", "bytes", "val", 1, range(0, 100)));
        tokenizers.put(
                "bytes",
                new TokenizerInfo(
                        "bytes", 257, "gpt2", Map.of("<|endoftext|>", 256), Instant.parse("2024-01-01T00:00:00Z")));
        // Newer, but nothing tokenized with it yet: not the default.
        tokenizers.put(
                "fresh", new TokenizerInfo("fresh", 4096, "gpt2", Map.of(), Instant.parse("2025-01-01T00:00:00Z")));
    }

    @AfterEach
    void close() {
        store.close();
    }

    JobValidator validator() {
        return new JobValidator(
                id -> Optional.ofNullable(tokenizers.get(id)),
                () -> tokenizers.values().stream()
                        .sorted((x, y) -> y.createdAt().compareTo(x.createdAt()))
                        .toList(),
                store,
                id -> Optional.ofNullable(checkpoints.get(id)),
                budget);
    }

    JobPlan plan(String json) {
        return validator().validate(JobValidator.parse(json));
    }

    ApiError refused(String json) {
        ApiError e = catchThrowableOfType(ApiError.class, () -> plan(json));
        assertThat(e).as("refused: " + json).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.body().asMap()).containsKey("error");
        return e;
    }

    @SuppressWarnings("unchecked")
    static List<String> problems(ApiError e) {
        return (List<String>) e.details().get("problems");
    }

    static String job(String extra) {
        return "{\"stage\": \"pretrain\", " + MODEL + ", \"steps\": 200, \"batchSize\": 4, \"lr\": 0.001" + extra + "}";
    }

    @Test
    void aCutoffIsAnIsoDateAndAJobWhoseSelectionIsEmptyIsRefused() {
        // The default fixture's shards carry no per-document dates (schema 1): a cutoff cannot select from them.
        assertThat(problems(refused(job(", \"cutoff\": \"2005-12-31\"")))).anyMatch(p -> p.contains("re-tokenize"));
        assertThat(problems(refused(job(", \"cutoff\": \"31/12/2005\"")))).anyMatch(p -> p.contains("not an ISO date"));

        store.append(new dev.scratchlm.contracts.TokenShard(
                2,
                "d1",
                "dated",
                "train",
                List.of("x", "y"),
                256,
                2,
                range(0, 256),
                null,
                List.of(
                        new dev.scratchlm.contracts.DocumentSpan(java.time.LocalDate.of(2008, 1, 1), 0, 200, 900),
                        new dev.scratchlm.contracts.DocumentSpan(null, 200, 56, 200))));
        store.append(new dev.scratchlm.contracts.TokenShard(
                2,
                "d2",
                "dated",
                "val",
                List.of("z"),
                100,
                2,
                range(0, 100),
                null,
                List.of(new dev.scratchlm.contracts.DocumentSpan(java.time.LocalDate.of(2008, 1, 1), 0, 100, 400))));
        tokenizers.put(
                "dated", new TokenizerInfo("dated", 257, "gpt2", Map.of(), Instant.parse("2023-01-01T00:00:00Z")));
        ApiError empty = refused(job(", \"tokenizerId\": \"dated\", \"cutoff\": \"2005-12-31\""));
        assertThat(empty.body().asMap().get("error").toString()).contains("selects no training documents");
        assertThat(empty.details())
                .containsEntry("selectedTrainDocuments", 0)
                .containsEntry("undatedDocumentsExcluded", 1);

        JobPlan ok = plan(job(", \"tokenizerId\": \"dated\", \"cutoff\": \"2008-01-01\""));
        assertThat(ok.cutoff()).isEqualTo("2008-01-01");
        assertThat(problems(refused("{\"stage\": \"sft\", \"parent\": \"p\", \"cutoff\": \"2008-01-01\"}")))
                .anyMatch(p -> p.contains("pretrain"));
    }

    @Test
    void fillsTheDocumentedDefaultsAndTakesTheVocabularyFromTheNewestTokenizerWithShards() {
        JobPlan p = plan(job(""));
        assertThat(p.tokenizerId()).isEqualTo("bytes");
        assertThat(p.model().vocabSize()).isEqualTo(257);
        assertThat(p.model().blockSize()).isEqualTo(16);
        assertThat(p.model().dropout()).isZero();
        assertThat(p.gradAccum()).isEqualTo(1);
        assertThat(p.minLr()).isEqualTo(0.0001f);
        assertThat(p.warmupSteps()).isEqualTo(20);
        assertThat(p.weightDecay()).isEqualTo(0.1f);
        assertThat(p.beta1()).isEqualTo(0.9f);
        assertThat(p.beta2()).isEqualTo(0.99f);
        assertThat(p.clip()).isEqualTo(1.0f);
        assertThat(p.evalEvery()).isEqualTo(20);
        assertThat(p.evalBatches()).isEqualTo(20);
        assertThat(p.checkpointEvery()).isEqualTo(200);
        assertThat(p.seed()).isEqualTo(1337L);
        assertThat(p.trainerConfig().schedule().lr(199)).isCloseTo(0.0001f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void acceptsExplicitSettings() {
        JobPlan p = plan(job(", \"tokenizerId\": \"bytes\", \"gradAccum\": 2, \"minLr\": 0.0002, \"warmupSteps\": 5,"
                + " \"evalEvery\": 50, \"evalBatches\": 3, \"checkpointEvery\": 25, \"seed\": 7, \"clip\": 0"));
        assertThat(p.gradAccum()).isEqualTo(2);
        assertThat(p.tokensPerStep()).isEqualTo(2L * 4 * 16);
        assertThat(p.checkpointEvery()).isEqualTo(25);
        assertThat(p.clip()).isZero();
        assertThat(p.seed()).isEqualTo(7);
    }

    @Test
    void refusesMalformedBodiesWithTheFieldThatIsWrong() {
        assertThat(catchThrowableOfType(ApiError.class, () -> JobValidator.parse("{\"stage\": "))
                        .getMessage())
                .contains("not valid JSON");
        assertThat(catchThrowableOfType(ApiError.class, () -> JobValidator.parse(job(", \"stpes\": 3")))
                        .getMessage())
                .contains("unknown field 'stpes'")
                .contains("steps");
        assertThat(catchThrowableOfType(ApiError.class, () -> JobValidator.parse(job(", \"evalEvery\": \"often\"")))
                        .getMessage())
                .contains("evalEvery");
        assertThat(catchThrowableOfType(ApiError.class, () -> JobValidator.parse(""))
                        .getMessage())
                .contains("empty");
    }

    @Test
    void refusesBadModelShapesAndRanges() {
        assertThat(problems(refused(job("").replace("\"nHead\": 2", "\"nHead\": 3"))))
                .anySatisfy(p -> assertThat(p).contains("nHead (3) must divide model.nEmbd (32)"));
        assertThat(problems(refused(job("").replace("\"steps\": 200", "\"steps\": 0"))))
                .anySatisfy(p -> assertThat(p).contains("steps must be in 1.."));
        assertThat(problems(refused(job("").replace("\"batchSize\": 4", "\"batchSize\": 0"))))
                .anySatisfy(p -> assertThat(p).contains("batchSize"));
        assertThat(problems(refused(job("").replace("\"lr\": 0.001", "\"lr\": 0"))))
                .anySatisfy(p -> assertThat(p).contains("lr must be in (0.0"));
        assertThat(problems(refused(job("").replace("\"lr\": 0.001", "\"lr\": 3"))))
                .anySatisfy(p -> assertThat(p).contains("lr must be in"));
        assertThat(problems(refused(job(", \"minLr\": 0.01"))))
                .anySatisfy(p -> assertThat(p).contains("minLr"));
        assertThat(problems(refused(job(", \"beta2\": 1.0"))))
                .anySatisfy(p -> assertThat(p).contains("beta2"));
        assertThat(problems(refused(job("").replace(", " + MODEL, ""))))
                .anySatisfy(p -> assertThat(p).contains("model is required"));
        // Every problem is listed at once, not one per round trip.
        assertThat(problems(refused(job(", \"gradAccum\": 0, \"evalBatches\": 0"))))
                .hasSize(2);
    }

    @Test
    void refusesStagesItDoesNotRun() {
        assertThat(refused(job("").replace("pretrain", "pretraining")).getMessage())
                .contains("unknown stage 'pretraining'");
        assertThat(refused(job("").replace("pretrain", "rlhf")).getMessage())
                .contains("not supported by this trainer yet");
        assertThat(refused(job("").replace("\"stage\": \"pretrain\", ", "")).getMessage())
                .contains("stage is required");
    }

    @Test
    void refusesDataProblems() {
        assertThat(refused(job(", \"tokenizerId\": \"nope\"")).getMessage()).contains("unknown tokenizer 'nope'");
        assertThat(refused(job(", \"tokenizerId\": \"fresh\"")).getMessage())
                .contains("no training shards for tokenizer 'fresh'");
        ApiError mismatch = refused(job("").replace("\"blockSize\": 16", "\"blockSize\": 16, \"vocabSize\": 50257"));
        assertThat(mismatch.getMessage())
                .contains("vocabSize 50257 does not match")
                .contains("257");
        // 256 training tokens: a window of blockSize + 1 = 300 does not fit.
        assertThat(refused(job("").replace("\"blockSize\": 16", "\"blockSize\": 299"))
                        .getMessage())
                .contains("blockSize 299 needs windows of 300 tokens")
                .contains("only 256");
        // 100 validation tokens: training windows of 151 fit, validation windows do not.
        assertThat(refused(job("").replace("\"blockSize\": 16", "\"blockSize\": 150"))
                        .getMessage())
                .contains("validation split of bytes holds only 100 tokens");
        tokenizers.clear();
        assertThat(refused(job("")).getMessage()).contains("no tokenizer has training shards yet");
    }

    @Test
    void refusesShardsThatDoNotFitTheVocabulary() {
        store.append(shard("a3", "bytes", "train", 1, 300));
        assertThat(refused(job("")).getMessage()).contains("token id 300, outside its vocabulary of 257");
    }

    @Test
    void refusesAModelThatDoesNotFitMemory() {
        budget = new MemoryBudget(600L << 20, 256L << 20, 1L << 30, 2);
        ApiError e =
                refused(job("").replace("\"nEmbd\": 32", "\"nEmbd\": 1024").replace("\"nLayer\": 2", "\"nLayer\": 8"));
        assertThat(e.getMessage()).contains("needs about").contains("MB");
        assertThat(e.details()).containsKeys("needBytes", "availableBytes");
        assertThat((Long) e.details().get("needBytes"))
                .isGreaterThan((Long) e.details().get("availableBytes"));
    }

    @Test
    void refusesAParentThatDoesNotExistOrDoesNotMatch() throws Exception {
        assertThat(refused(job(", \"parent\": \"ckpt-x\"")).getMessage())
                .contains("parent checkpoint 'ckpt-x' does not exist");
        Path file = Files.writeString(dir.resolve("p.ckpt"), "weights");
        String manifest =
                "{\"model\": {\"vocabSize\": 257, \"blockSize\": 16, \"nLayer\": 4, \"nHead\": 2, \"nEmbd\": 32, \"dropout\": 0}}";
        checkpoints.put(
                "p",
                new CheckpointRow(
                        "p",
                        "job",
                        "pretrain",
                        10,
                        1f,
                        1f,
                        "bytes",
                        null,
                        "00",
                        7,
                        1,
                        file.toString(),
                        manifest,
                        null,
                        null));
        assertThat(refused(job(", \"parent\": \"p\"")).getMessage())
                .contains("parent checkpoint 'p' has model nLayer=4");
        checkpoints.put(
                "q",
                new CheckpointRow(
                        "q",
                        "job",
                        "pretrain",
                        10,
                        1f,
                        1f,
                        "bytes",
                        null,
                        "00",
                        7,
                        1,
                        file.toString(),
                        manifest.replace("\"nLayer\": 4", "\"nLayer\": 2"),
                        null,
                        null));
        assertThat(plan(job(", \"parent\": \"q\"")).parent()).isEqualTo("q");
        checkpoints.put(
                "gone",
                new CheckpointRow(
                        "gone",
                        "job",
                        "pretrain",
                        10,
                        1f,
                        1f,
                        "bytes",
                        null,
                        "00",
                        7,
                        1,
                        dir.resolve("missing.ckpt").toString(),
                        manifest,
                        null,
                        null));
        assertThat(refused(job(", \"parent\": \"gone\"")).getMessage()).contains("file is missing");
    }
}
