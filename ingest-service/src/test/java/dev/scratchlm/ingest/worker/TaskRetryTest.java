package dev.scratchlm.ingest.worker;

import static dev.scratchlm.ingest.worker.IngestHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.catalog.SourceProgress;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.plan.Planned;
import dev.scratchlm.service.Backoff;
import dev.scratchlm.service.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task that always fails is retried a bounded number of times, then recorded as failed (its source's status says
 * so) and moved to the dead-letter topic; it does not block the tasks behind it. A task message that is not a task is
 * dead-lettered at once.
 */
class TaskRetryTest {
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 3);
    IngestHarness harness;

    @AfterEach
    void close() throws InterruptedException {
        if (harness != null) harness.close();
    }

    @Test
    void aTaskThatAlwaysFailsIsGivenUpRecordedAndDeadLettered() {
        IngestHarness h = harness =
                IngestHarness.onSharedStack(Pipeline.standard(PipelineSettings.defaults()), 2, Duration.ofSeconds(60));
        TaskWorker w = h.worker("r", QUICK);
        AtomicInteger attempts = new AtomicInteger();
        String[] failing = new String[1];
        w.hook(new TaskWorker.Hook() {
            @Override
            public void beforeKafkaCommit(IngestTask task, long done) {}

            @Override
            public void beforeCatalog(IngestTask task) {
                if (task.taskId().equals(failing[0])) {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("the catalog refuses this task (simulated constraint violation)");
                }
            }
        });
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            jsonl.append("{\"text\": \"Retry record ")
                    .append(i)
                    .append(" of a run at ")
                    .append(System.nanoTime())
                    .append(". The members of this house discussed the report at length and voted on it.\"}\n");
        }
        Planned planned = h.planner.submitUploads(
                List.of(new CatalogRepository.Upload(
                        "retry.jsonl", jsonl.toString().getBytes(StandardCharsets.UTF_8))),
                null);
        assertThat(planned.tasks()).isEqualTo(3);
        failing[0] = h.catalog.tasks(planned.sourceId()).get(1).taskId();
        h.start(w);

        await(
                "two tasks done and one given up",
                Duration.ofSeconds(90),
                () -> w.tasksDone() == 2 && w.tasksFailed() == 1);
        assertThat(attempts.get()).as("bounded retries").isEqualTo(3);
        SourceProgress p = h.catalog.progress(planned.sourceId()).orElseThrow();
        assertThat(p.state()).isEqualTo("failed");
        assertThat(p.tasksDone()).isEqualTo(2);
        assertThat(p.failed()).singleElement().satisfies(f -> {
            assertThat(f.taskId()).isEqualTo(failing[0]);
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.reason())
                    .contains("failed 3 times")
                    .contains("IllegalStateException")
                    .doesNotContain(
                            "simulated constraint"); // the detail is in the log and the dead letter, not the status
        });
        assertThat(w.loop().lastError())
                .as("readiness is not held down by a task that was given up")
                .isNull();

        ConsumerRecord<String, byte[]> dead = deadLetters(h, 1).get(0);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.KIND)).isEqualTo(DeadLetters.FAILED);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ATTEMPTS)).isEqualTo("3");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).contains("simulated constraint violation");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains(failing[0]);

        // The records of the two other tasks were published: nothing behind the failed task was held up.
        IngestHarness.Published out = IngestHarness.published(
                h.bootstrap, planned.sourceId(), 4, Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertThat(out.documentKeys().size() + out.rejectedKeys().size()).isEqualTo(4);
    }

    @Test
    void aMessageThatIsNotATaskIsDeadLetteredAtOnce() throws Exception {
        IngestHarness h = harness =
                IngestHarness.onSharedStack(Pipeline.standard(PipelineSettings.defaults()), 2, Duration.ofSeconds(60));
        TaskWorker w = h.start(h.worker("p", QUICK));
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(h.bootstrap))) {
            p.send(new ProducerRecord<>(h.tasksTopic, key, "not a task".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        ConsumerRecord<String, byte[]> dead = deadLetters(h, 1).get(0);
        assertThat(dead.key()).isEqualTo(key);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.KIND)).isEqualTo(DeadLetters.POISON);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).startsWith("not an ingest task");
        assertThat(w.tasksFailed()).isZero();
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters(IngestHarness h, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaSettings.consumer(h.bootstrap, "dlq-" + UUID.randomUUID()))) {
            c.subscribe(List.of(Topics.deadLetter(h.tasksTopic)));
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < end)
                c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).hasSize(expected);
        return out;
    }
}
