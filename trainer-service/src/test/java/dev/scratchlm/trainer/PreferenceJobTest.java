package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.Rng;
import dev.scratchlm.service.ApiError;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import dev.scratchlm.trainer.JobRepository.Metric;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The reward and dpo stages against the real broker and database: rankings put on the rankings topic here, a parent
 * language model registered on the volume, jobs validated from JSON bodies and run by the job runner. Refusals for
 * each bad input; a reward model and a DPO policy trained and checkpointed with their lineage; a stopped DPO job
 * resumed on the same trajectory as an uninterrupted one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreferenceJobTest {
    static final String TOKENIZER = "bytes-chat", OTHER_TOKENIZER = "bytes-other";
    static final String[] WORDS = {"red", "blue", "cat", "dog", "sun", "tree", "cup", "hat"};

    Path state;
    DevStack stack;
    PGSimpleDataSource db;
    JobRepository jobs;
    CheckpointRepository checkpoints;
    CheckpointPublisher publisher;
    ShardStore store;
    RankingReader rankings;
    TokenizerRepository tokenizers;
    JobValidator validator;
    String campaign = "camp-" + UUID.randomUUID().toString().substring(0, 8);
    /** The tokenizers' definitions, stored in the tokenizer registry in set-up (as the tokenizers consumer does). */
    final Map<String, String> definitions = new LinkedHashMap<>();

    final List<JobRunner> runners = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        state = Files.createTempDirectory("trainer-preference-test");
        stack = SharedDevStack.get();
        String schema = "trainer_pref_" + UUID.randomUUID().toString().substring(0, 8);
        db = new PGSimpleDataSource();
        db.setURL(stack.jdbcUrl());
        db.setUser(stack.user());
        db.setPassword(stack.password());
        db.setCurrentSchema(schema);
        Flyway.configure()
                .dataSource(db)
                .schemas(schema)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        jobs = new JobRepository(db);
        checkpoints = new CheckpointRepository(db);
        publisher = new CheckpointPublisher(stack.bootstrapServers());
        store = new ShardStore(state.resolve("shards"));
        KafkaSettings.ensureTopics(stack.bootstrapServers(), Topics.ALL);
        rankings = new RankingReader(stack.bootstrapServers());
        GptRuntime.configureThreads(2);

        // A byte-level tokenizer with the chat template's special tokens, as the tokenizer service would publish it.
        definitions.put(TOKENIZER, ScratchFormat.toText(chatTokenizer(TOKENIZER)));
        definitions.put(OTHER_TOKENIZER, ScratchFormat.toText(chatTokenizer(OTHER_TOKENIZER)));
        GptConfig lm = new GptConfig(256 + ChatTemplate.SPECIAL_TOKENS.size(), 48, 2, 2, 32, 0f);
        // The job the parents came from (the registry keeps each checkpoint's job).
        jobs.insert(
                "parents",
                new JobPlan(
                        "sft", TOKENIZER, lm, 1, 1, 1, 1e-3f, 1e-4f, 0, 0f, 0.9f, 0.99f, 1f, 1, 1, 1, 1, null, null,
                        null));
        jobs.finish("parents", JobRepository.DONE, null);
        register("sft-parent", "sft", TOKENIZER, lm, new Gpt(lm, 1, 5).copyWeights());
        register("sft-other-tokenizer", "sft", OTHER_TOKENIZER, lm, new Gpt(lm, 1, 6).copyWeights());
        register(
                "a-reward-model",
                JobValidator.REWARD,
                TOKENIZER,
                lm.withRewardHead(true),
                new Gpt(lm.withRewardHead(true), 1, 7).copyWeights());

        // 40 tasks of 4 candidates, ranked by a rule: answers saying "yes" first (tied), the others after.
        tokenizers = new TokenizerRepository(db);
        for (String id : List.of(TOKENIZER, OTHER_TOKENIZER)) {
            tokenizers.upsert(new TokenizerRecord(
                    TokenizerRecord.SCHEMA,
                    id,
                    256 + ChatTemplate.SPECIAL_TOKENS.size(),
                    "gpt2",
                    "gpt2",
                    chatTokenizer(id).specialTokens(),
                    definitions.get(id),
                    Map.of(),
                    Instant.now()));
        }
        ChatTemplate template = new ChatTemplate(ScratchFormat.fromText(definitions.get(TOKENIZER)));
        Rng rng = new Rng(3);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(stack.bootstrapServers()))) {
            for (int t = 0; t < 40; t++) {
                String task = campaign + "-task-" + t;
                List<String> cands = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    String a = WORDS[rng.nextInt(WORDS.length)] + " " + WORDS[rng.nextInt(WORDS.length)];
                    cands.add(k < 2 ? (rng.nextInt(2) == 0 ? "yes " + a : a + " yes") : a);
                }
                Ranking r = new Ranking(
                        Ranking.SCHEMA,
                        "rk-" + task,
                        task,
                        campaign,
                        "sft-parent",
                        List.of(ChatMessage.user("say " + WORDS[t % WORDS.length])),
                        cands,
                        List.of(List.of(0, 1), List.of(2, 3)),
                        "rule-v1",
                        Ranking.RULE,
                        Instant.now());
                p.send(new ProducerRecord<>(Topics.RANKINGS, task, Json.bytes(r)))
                        .get();
            }
            // A duplicate delivery and a record that is not a ranking: skipped, nothing else changes.
            Ranking again = new Ranking(
                    Ranking.SCHEMA,
                    "rk-" + campaign + "-task-0",
                    campaign + "-task-0",
                    campaign,
                    "sft-parent",
                    List.of(ChatMessage.user("say red")),
                    List.of("yes", "no"),
                    List.of(List.of(0), List.of(1)),
                    "rule-v1",
                    Ranking.RULE,
                    Instant.now());
            p.send(new ProducerRecord<>(Topics.RANKINGS, again.taskId(), Json.bytes(again)))
                    .get();
            p.send(new ProducerRecord<>(Topics.RANKINGS, "junk", "not json".getBytes()))
                    .get();
        }
        assertThat(template.render(List.of(ChatMessage.user("say red"), ChatMessage.assistant("yes red cup")))
                        .ids()
                        .length)
                .isLessThan(lm.blockSize());
        validator = new JobValidator(
                        id -> Optional.empty(), List::of, store, checkpoints::find, MemoryBudget.ofThisProcess(2))
                .withPreferences(new PreferenceValidator(
                        checkpoints::find, tokenizers::definition, rankings, MemoryBudget.ofThisProcess(2)));
    }

    /** A runner left idle by one test would otherwise pick up the next test's jobs and pending checkpoints. */
    @AfterEach
    void stopRunners() {
        runners.forEach(JobRunner::abandon);
        runners.clear();
    }

    @AfterAll
    void tearDown() {
        runners.forEach(JobRunner::abandon);
        publisher.close();
        store.close();
    }

    static Tokenizer chatTokenizer(String id) {
        List<byte[]> bytes = new ArrayList<>();
        for (int i = 0; i < 256; i++) bytes.add(new byte[] {(byte) i});
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String s : ChatTemplate.SPECIAL_TOKENS) specials.put(s, 256 + specials.size());
        return Tokenizer.create(SplitPattern.forNumberPolicy(NumberPolicy.GPT2), bytes, specials);
    }

    void register(String id, String stage, String tokenizer, GptConfig cfg, float[] weights) throws Exception {
        Checkpoint c =
                new Checkpoint(cfg, null, 0, 0, 0, tokenizer, Map.of("stage", stage), Map.of(), weights, null, null);
        Path file = state.resolve("checkpoints").resolve(id + ".ckpt");
        Files.createDirectories(file.getParent());
        Files.write(file, c.toBytes());
        CheckpointManifest m = new CheckpointManifest(
                CheckpointManifest.SCHEMA,
                id,
                stage,
                0,
                null,
                tokenizer,
                PretrainRun.modelMap(cfg),
                Map.of(),
                Map.of(),
                Files.size(file),
                1,
                "00",
                Instant.now());
        checkpoints.upsert(new CheckpointRow(
                id,
                "parents",
                stage,
                0,
                null,
                null,
                tokenizer,
                null,
                "00",
                Files.size(file),
                1,
                file.toString(),
                Json.string(m),
                Instant.now(),
                null));
        checkpoints.markPublished(id);
    }

    JobRunner runner(JobEvents events) {
        JobRunner r = new JobRunner(
                        jobs, checkpoints, store, publisher, events, new JobRunner.Settings(state, 100.0, 2, 0, 200))
                .withPreferences(rankings, tokenizers::definition);
        runners.add(r);
        r.start();
        return r;
    }

    JobPlan plan(String json) {
        return validator.validate(JobValidator.parse(json));
    }

    String body(String stage, String parent, String extra) {
        return "{\"stage\":\"" + stage + "\",\"parent\":\"" + parent + "\",\"preference\":{\"campaigns\":[\"" + campaign
                + "\"],\"sources\":[\"rule\"]" + extra + "}";
    }

    ApiError refused(String json) {
        try {
            plan(json);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void badInputsAreRefusedWithTheReason() {
        assertThat(refused(body("dpo", "sft-parent", "}")
                                .replace(
                                        "\"parent\":\"sft-parent\",",
                                        "\"tokenizerId\":\"" + OTHER_TOKENIZER + "\",\"parent\":\"sft-parent\","))
                        .getMessage())
                .contains("trained with tokenizer " + TOKENIZER + ", not " + OTHER_TOKENIZER);
        assertThat(refused(body("dpo", "sft-parent", ",\"reference\":\"sft-other-tokenizer\"}"))
                        .getMessage())
                .contains("reference checkpoint 'sft-other-tokenizer' was trained with tokenizer " + OTHER_TOKENIZER);
        assertThat(refused(body("dpo", "a-reward-model", "}")).getMessage())
                .contains("is a reward model: it cannot be a DPO policy");
        assertThat(refused(body("dpo", "sft-parent", "}").replace(campaign, "no-such-campaign"))
                        .getMessage())
                .contains("no rankings for campaigns [no-such-campaign] and sources [rule]");
        assertThat(refused(body("reward", "sft-parent", "}").replace("[\"rule\"]", "[\"human\"]"))
                        .getMessage())
                .contains("no rankings for");
        assertThat(refused(body("reward", "sft-parent", "}").replace("[\"rule\"]", "[\"robot\"]"))
                        .getMessage())
                .contains("unknown ranking source 'robot'");
        assertThat(refused(body("reward", "sft-parent", ",\"beta\":0.2}")).getMessage())
                .contains("are DPO settings");
        assertThat(refused(body("dpo", "missing", "}")).getMessage())
                .contains("parent checkpoint 'missing' does not exist");
        assertThatThrownBy(() -> plan("{\"stage\":\"dpo\",\"preference\":{\"colour\":1}}"))
                .isInstanceOf(ApiError.class)
                .hasMessageContaining("unknown field 'preference.colour'");
    }

    @Test
    void aRewardModelLearnsTheRankingsAndIsMarkedSo() throws Exception {
        JobPlan plan = plan(body("reward", "sft-parent", "}")
                .replace("\"stage\"", "\"steps\":60,\"lr\":0.002,\"evalEvery\":20,\"stage\""));
        assertThat(plan.model().rewardHead()).isTrue();
        assertThat(plan.preference().counts())
                .containsEntry("rankings", 40)
                .containsEntry("tasks", 40)
                .containsEntry("heldOutTasks", 4)
                .containsEntry("trainPairs", 36 * 4)
                .containsEntry("heldOutPairs", 16);
        JobRunner r = runner(new JobEvents());
        jobs.insert("reward-job", plan);
        r.wake();
        JobRow done = awaitState("reward-job", JobRepository.DONE, Duration.ofMinutes(3));
        CheckpointRow row = checkpoints.find(done.lastCheckpointId()).orElseThrow();
        assertThat(row.stage()).isEqualTo("reward");
        Checkpoint c = read(row);
        assertThat(c.config().rewardHead()).isTrue();
        assertThat(c.metadata())
                .containsEntry("rewardModel", true)
                .containsEntry("parent", "sft-parent")
                .containsEntry("stage", "reward");
        double acc = c.metrics().get("heldOutAccuracy");
        System.out.printf(
                "reward job: held-out pair accuracy %.3f, held-out loss %.4f%n",
                acc, c.metrics().get("valLoss"));
        assertThat(acc).isGreaterThanOrEqualTo(0.9);
        CheckpointManifest m = Json.read(row.manifest(), CheckpointManifest.class);
        assertThat(m.model()).containsEntry("rewardHead", true);
        assertThat(m.lineage())
                .containsEntry("trainPairs", 144)
                .containsEntry("heldOutPairs", 16)
                .containsKey("rankingOffsets");
        // A reward model is no policy: DPO refuses it as a parent.
        assertThat(refused(body("dpo", row.id(), "}")).getMessage()).contains("is a reward model");
    }

    @Test
    void aStoppedDpoJobResumesOnTheSameTrajectory() throws Exception {
        String json = body("dpo", "sft-parent", ",\"beta\":0.1,\"sftWeight\":0.05}")
                .replace(
                        "\"stage\"",
                        "\"steps\":24,\"lr\":0.001,\"evalEvery\":6,\"checkpointEvery\":6,\"batchSize\":4,\"stage\"");
        JobPlan plan = plan(json);
        assertThat(plan.preference().reference()).isEqualTo("sft-parent");
        JobEvents events = new JobEvents();
        JobRunner r = runner(events);
        jobs.insert("dpo-straight", plan);
        r.wake();
        awaitState("dpo-straight", JobRepository.DONE, Duration.ofMinutes(3));
        List<Metric> reference = jobs.metrics("dpo-straight", 10_000);
        assertThat(reference).hasSize(24);

        AtomicBoolean stopped = new AtomicBoolean();
        events.subscribe("dpo-stopped", e -> {
            if (e.type().equals("step")
                    && ((Number) e.data().get("step")).intValue() >= 9
                    && stopped.compareAndSet(false, true)) {
                jobs.requestStop("dpo-stopped");
                r.requestStop("dpo-stopped");
            }
        });
        jobs.insert("dpo-stopped", plan);
        r.wake();
        JobRow s = awaitState("dpo-stopped", JobRepository.STOPPED, Duration.ofMinutes(3));
        assertThat(s.step()).isLessThan(24);
        assertThat(jobs.resume("dpo-stopped")).isTrue();
        r.clearStop("dpo-stopped");
        JobRow done = awaitState("dpo-stopped", JobRepository.DONE, Duration.ofMinutes(3));
        List<Metric> resumed = jobs.metrics("dpo-stopped", 10_000);
        assertThat(resumed).hasSize(24);
        for (int i = 0; i < 24; i++) {
            assertThat(resumed.get(i).trainLoss())
                    .as("loss at step %d", i + 1)
                    .isEqualTo(reference.get(i).trainLoss());
            assertThat(resumed.get(i).valLoss())
                    .as("held-out loss at step %d", i + 1)
                    .isEqualTo(reference.get(i).valLoss());
        }
        // DPO starts at log 2 (policy = reference) plus the SFT term (0.05 x the chosen answers' per-token NLL, about
        // 0.05 x ln 261 for this untrained parent); its held-out loss falls as the policy learns the preference.
        assertThat(reference.get(0).trainLoss())
                .isBetween((float) Math.log(2) + 0.2f, (float) Math.log(2) + 0.05f * 6.5f);
        assertThat(reference.get(23).valLoss()).isLessThan(reference.get(5).valLoss());
        Checkpoint c = read(checkpoints.find(done.lastCheckpointId()).orElseThrow());
        assertThat(c.metadata())
                .containsEntry("stage", "dpo")
                .containsEntry("reference", "sft-parent")
                .containsEntry("parent", "sft-parent");
        assertThat(c.metrics())
                .containsKeys(
                        "heldOut.margin",
                        "heldOut.accuracy",
                        "heldOut.logpChosen",
                        "heldOut.logpRejected",
                        "heldOut.rewardsChosen",
                        "heldOut.rewardsRejected");
        System.out.printf(
                "dpo job: held-out margin %.4f, accuracy %.3f%n",
                c.metrics().get("heldOut.margin"), c.metrics().get("heldOut.accuracy"));
        assertThat(read(checkpoints.find("dpo-straight-000024").orElseThrow()).weights())
                .containsExactly(c.weights());
    }

    JobRow awaitState(String id, String st, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JobRow j = jobs.find(id).orElseThrow();
            if (j.state().equals(st)) return j;
            if (j.finished() && !j.state().equals(st))
                throw new AssertionError("job " + id + " ended " + j.state() + ": " + j.error());
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " not " + st + " after " + timeout);
    }

    static Checkpoint read(CheckpointRow row) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(row.path()))) {
            return Checkpoint.read(in);
        }
    }
}
