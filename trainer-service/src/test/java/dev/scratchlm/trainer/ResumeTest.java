package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import dev.scratchlm.trainer.JobRepository.Metric;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The job runner as a plain class against the real PostgreSQL and Kafka: a runner abandoned mid-job (a simulated
 * crash) and a new runner on the same volume and database resume the job from its last checkpoint, and the losses
 * after resumption equal those of an uninterrupted run with the same seed and thread count, bit for bit. The
 * published checkpoint arrives whole and holds exactly the trained model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeTest {
    static final String TOKENIZER = "bytes-resume";

    Path state;
    DevStack stack;
    PGSimpleDataSource db;
    ShardStore store;
    JobRepository jobs;
    CheckpointRepository checkpoints;
    CheckpointPublisher publisher;
    final List<JobRunner> runners = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        state = Files.createTempDirectory("trainer-resume-test");
        stack = SharedDevStack.get();
        String schema = "trainer_resume_" + UUID.randomUUID().toString().substring(0, 8);
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
        store = new ShardStore(state.resolve("shards"));
        for (TokenShard s : TestCorpus.shards(TOKENIZER, "train", 4, 40, 1)) store.append(s);
        for (TokenShard s : TestCorpus.shards(TOKENIZER, "val", 1, 20, 2)) store.append(s);
        jobs = new JobRepository(db);
        checkpoints = new CheckpointRepository(db);
        publisher = new CheckpointPublisher(stack.bootstrapServers());
        GptRuntime.configureThreads(2);
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

    JobRunner runner(JobEvents events) {
        JobRunner r = new JobRunner(
                jobs, checkpoints, store, publisher, events, new JobRunner.Settings(state, 100.0, 2, 0, 200));
        runners.add(r);
        r.start();
        return r;
    }

    static JobPlan plan(int steps, long seed) {
        // Dropout on, so the dropout generator's state must survive the crash too.
        return new JobPlan(
                "pretrain",
                TOKENIZER,
                new GptConfig(TestCorpus.VOCAB, 32, 2, 2, 32, 0.1f),
                steps,
                4,
                1,
                3e-3f,
                3e-4f,
                5,
                0.1f,
                0.9f,
                0.99f,
                1.0f,
                10,
                2,
                10,
                seed,
                null,
                null,
                null);
    }

    JobRow awaitState(String id, String state, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JobRow j = jobs.find(id).orElseThrow();
            if (j.state().equals(state)) return j;
            if (j.finished()) throw new AssertionError("job " + id + " ended " + j.state() + ": " + j.error());
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " not " + state + " after " + timeout + ": "
                + jobs.find(id).orElseThrow());
    }

    @Test
    void aResumedJobContinuesTheUninterruptedLossTrajectory() throws Exception {
        int steps = 40;
        JobEvents events1 = new JobEvents();
        JobRunner first = runner(events1);
        jobs.insert("uninterrupted", plan(steps, 7));
        first.wake();
        awaitState("uninterrupted", JobRepository.DONE, Duration.ofMinutes(2));
        List<Metric> reference = jobs.metrics("uninterrupted", 10_000);
        assertThat(reference).hasSize(steps);

        // The same job again, abandoned at step 23: after the checkpoint of step 20, before that of step 30.
        AtomicBoolean crashed = new AtomicBoolean();
        events1.subscribe("crashing", e -> {
            if (e.type().equals("step")
                    && ((Number) e.data().get("step")).intValue() >= 23
                    && crashed.compareAndSet(false, true)) {
                first.abandon(); // on the runner's own thread: it stops at the next step boundary, writing nothing
            }
        });
        jobs.insert("crashing", plan(steps, 7));
        first.wake();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!crashed.get() && System.nanoTime() < deadline) Thread.sleep(20);
        first.abandon();
        assertThat(crashed).isTrue();
        assertThat(first.isAlive()).isFalse();
        JobRow crashedRow = jobs.find("crashing").orElseThrow();
        assertThat(crashedRow.state()).isEqualTo(JobRepository.RUNNING);
        assertThat(crashedRow.lastCheckpointId()).isEqualTo("crashing-000020");

        JobEvents events2 = new JobEvents();
        List<JobEvents.Event> seen = new CopyOnWriteArrayList<>();
        events2.subscribe("crashing", seen::add);
        runner(events2);
        JobRow done = awaitState("crashing", JobRepository.DONE, Duration.ofMinutes(2));
        assertThat(seen.get(0).type()).isEqualTo("state");
        assertThat(seen.get(0).data()).containsEntry("resumedFrom", 20L);
        assertThat(done.step()).isEqualTo(steps);

        // Bit for bit: the resumed steps run in a warm JVM where the first run's ran cold, and the kernels give
        // the same bits whatever the JIT has compiled. A resume that lost any state (data position, AdamW moments
        // or step, dropout RNG) changes the losses from the first resumed step on.
        List<Metric> resumed = jobs.metrics("crashing", 10_000);
        assertThat(resumed).hasSize(steps);
        for (int i = 0; i < steps; i++) {
            Metric a = reference.get(i), b = resumed.get(i);
            assertThat(b.step()).isEqualTo(a.step());
            assertThat(b.trainLoss()).as("train loss at step %d", a.step()).isEqualTo(a.trainLoss());
            assertThat(b.valLoss()).as("val loss at step %d", a.step()).isEqualTo(a.valLoss());
        }
        // Learning happened: the byte-level loss starts near ln(257) = 5.55 and falls.
        assertThat(reference.get(0).trainLoss()).isGreaterThan(5f);
        assertThat(reference.get(steps - 1).valLoss())
                .isLessThan(reference.get(9).valLoss());

        float[] w1 = weights(checkpoints.find("uninterrupted-000040").orElseThrow());
        float[] w2 = weights(checkpoints.find("crashing-000040").orElseThrow());
        assertThat(w2).containsExactly(w1);
    }

    @Test
    void thePublishedCheckpointArrivesWholeAndHoldsTheTrainedModel() throws Exception {
        int steps = 12;
        JobRunner r = runner(new JobEvents());
        JobPlan plan = plan(steps, 11);
        jobs.insert("published", plan);
        r.wake();
        JobRow job = awaitState("published", JobRepository.DONE, Duration.ofMinutes(2));
        r.abandon();
        CheckpointRow row = checkpoints.find("published-000012").orElseThrow();
        assertThat(row.publishedAt()).isNotNull();
        assertThat(checkpoints.byJob("published"))
                .extracting(CheckpointRow::step)
                .containsExactly(10, 12);

        // A consumer as chat-service would run it: reassemble and verify, then load with gpt.
        Path blob = null;
        CheckpointManifest manifest = null;
        ChunkAssembler assembler = new ChunkAssembler(state.resolve("spool"));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(stack.bootstrapServers(), "resume-test-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(Topics.CHECKPOINTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (blob == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    ChunkAssembler.Outcome o = assembler.accept(rec);
                    assertThat(o.status()).as(o.reason()).isNotEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
                    if (o.status() == ChunkAssembler.Outcome.Status.COMPLETE
                            && o.key().equals(row.id())) {
                        blob = o.blob();
                        manifest = Json.read(o.manifestJson(), CheckpointManifest.class);
                    }
                }
            }
        }
        assertThat(blob)
                .as("checkpoint %s arrived on %s", row.id(), Topics.CHECKPOINTS)
                .isNotNull();
        assertThat(manifest.sha256()).isEqualTo(row.sha256());
        assertThat(manifest.step()).isEqualTo(steps);
        assertThat(manifest.stage()).isEqualTo("pretrain");
        assertThat(manifest.tokenizerId()).isEqualTo(TOKENIZER);
        assertThat(manifest.model()).containsEntry("nLayer", 2).containsEntry("vocabSize", TestCorpus.VOCAB);
        assertThat(manifest.lineage())
                .containsEntry("jobId", "published")
                .containsEntry("shardCount", 4)
                .containsEntry("trainDocuments", 160)
                .containsEntry("previousCheckpointId", "published-000010");
        assertThat(manifest.metrics()).containsKeys("trainLoss", "valLoss", "tokensSeen", "wallSeconds");
        Checkpoint published;
        try (InputStream in = Files.newInputStream(blob)) {
            published = Checkpoint.readWeightsOnly(in);
        }

        // The same training outside the service: same plan, data and seed.
        Trainer reference = new Trainer(plan.model(), plan.trainerConfig(), plan.seed());
        StoreBatchSource data = new StoreBatchSource(store.view(TOKENIZER, "train", job.trainTokens()), plan.seed());
        for (int i = 0; i < steps; i++) reference.step(data);
        Gpt loaded = published.toModel(1);
        Gpt trained = reference.model();
        trained.setTraining(false);
        loaded.setTraining(false);
        int[] prompt = "the cat sees the ball. a dog".chars().toArray();
        loaded.forward(prompt, null, null, 1, prompt.length);
        trained.forward(prompt, null, null, 1, prompt.length);
        for (int t = 0; t < prompt.length; t++) {
            assertThat(loaded.logits(0, t, null)).as("logits at %d", t).containsExactly(trained.logits(0, t, null));
        }
        assertThat(published.weights()).containsExactly(trained.copyWeights());
    }

    private static float[] weights(CheckpointRow row) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(row.path()))) {
            return Checkpoint.readWeightsOnly(in).weights();
        }
    }
}
