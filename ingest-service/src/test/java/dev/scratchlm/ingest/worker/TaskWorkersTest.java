package dev.scratchlm.ingest.worker;

import static dev.scratchlm.ingest.worker.IngestHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.catalog.SourceProgress;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.plan.Planned;
import dev.scratchlm.ingest.plan.SourceRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Task workers against the real broker and PostgreSQL: two workers of one group share a source; a worker that dies
 * between the catalog commit and the Kafka commit is replaced and the totals stay exact, without duplicates.
 */
class TaskWorkersTest {
    static Pipeline pipeline;
    static Path jar;
    IngestHarness harness;

    @BeforeAll
    static void stack() {
        pipeline = Pipeline.standard(PipelineSettings.defaults());
        jar = TestData.europarlJar();
    }

    IngestHarness harness(int taskRecords) {
        harness = IngestHarness.onSharedStack(pipeline, taskRecords, Duration.ofSeconds(60));
        return harness;
    }

    @AfterEach
    void close() throws InterruptedException {
        if (harness != null) harness.close();
    }

    static void assertExact(IngestHarness h, Planned planned, IngestHarness.Published out) {
        SourceProgress p = h.catalog.progress(planned.sourceId()).orElseThrow();
        assertThat(p.accepted() + p.rejected()).as("every record has one fate").isEqualTo(planned.records());
        assertThat(new HashSet<>(out.documentKeys()))
                .as("no duplicate documents")
                .hasSize(out.documentKeys().size());
        assertThat(new HashSet<>(out.rejectedKeys()))
                .as("no duplicate rejections")
                .hasSize(out.rejectedKeys().size());
        assertThat((long) out.documentKeys().size())
                .as("topic = catalog (accepted)")
                .isEqualTo(p.accepted());
        assertThat((long) out.rejectedKeys().size())
                .as("topic = catalog (rejected)")
                .isEqualTo(p.rejected());
        assertThat(out.rejectedByFilter()).isEqualTo(p.rejectedByFilter());
        assertThat(p.accepted()).isPositive();
        assertThat(p.rejectedByFilter()).containsKey("after-cutoff"); // Europarl runs to 2011; the cutoff is 2010-12-31
    }

    @Test
    void twoWorkersOfOneGroupSplitASource() {
        IngestHarness h = harness(100);
        TaskWorker a = h.start(h.worker("a"));
        TaskWorker b = h.start(h.worker("b"));
        await(
                "both workers own partitions",
                Duration.ofSeconds(60),
                () -> !a.assignment().isEmpty() && !b.assignment().isEmpty());

        Planned planned =
                h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 1200L));
        assertThat(planned.tasks()).isEqualTo(12);
        assertThat(planned.records()).isEqualTo(1200);
        await("12 tasks done", Duration.ofSeconds(120), () -> a.tasksDone() + b.tasksDone() == 12);

        assertThat(a.tasksDone()).as("worker a took a share").isPositive();
        assertThat(b.tasksDone()).as("worker b took a share").isPositive();
        IngestHarness.Published out = IngestHarness.published(
                h.bootstrap, planned.sourceId(), 1200, Duration.ofSeconds(60), Duration.ofSeconds(2));
        assertExact(h, planned, out);
        assertThat(out.documents()).allSatisfy(d -> {
            assertThat(d.sourceType()).isEqualTo("europarl");
            assertThat(d.date()).isBeforeOrEqualTo(java.time.LocalDate.of(2010, 12, 31));
            assertThat(d.language()).isIn(PipelineSettings.defaults().detectLanguages());
        });

        // Re-sending the same source is the same source: nothing new is queued or counted.
        Planned again = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 1200L));
        assertThat(again.sourceId()).isEqualTo(planned.sourceId());
        assertThat(again.created()).isFalse();
        assertThat(h.catalog.progress(planned.sourceId()).orElseThrow().tasksDone())
                .isEqualTo(12);
    }

    @Test
    void twoReplicasIngestingOverlappingSourcesAtOnceAcceptEachTextOnce() {
        IngestHarness h = harness(100);
        TaskWorker a = h.start(h.worker("a"));
        TaskWorker b = h.start(h.worker("b"));
        await(
                "both workers own partitions",
                Duration.ofSeconds(60),
                () -> !a.assignment().isEmpty() && !b.assignment().isEmpty());

        // Two sources whose first 910 records are the same texts, queued together: their tasks interleave on both
        // workers, so the same text is decided by two replicas at about the same time. (Source ids follow the
        // request, and the documents topic is shared with the other tests: these limits are used nowhere else.)
        Planned first = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 1010L));
        Planned second = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 910L));
        assertThat(second.sourceId()).isNotEqualTo(first.sourceId());
        await("21 tasks done", Duration.ofSeconds(180), () -> a.tasksDone() + b.tasksDone() == 21);

        IngestHarness.Published one = IngestHarness.published(
                h.bootstrap, first.sourceId(), 1010, Duration.ofSeconds(60), Duration.ofSeconds(2));
        IngestHarness.Published two = IngestHarness.published(
                h.bootstrap, second.sourceId(), 910, Duration.ofSeconds(60), Duration.ofSeconds(2));
        List<String> accepted = new java.util.ArrayList<>(one.documentKeys());
        accepted.addAll(two.documentKeys());
        assertThat(new HashSet<>(accepted))
                .as("no text accepted by both replicas")
                .hasSize(accepted.size());
        long dedup = one.rejectedByFilter().getOrDefault("dedup.exact", 0L)
                + two.rejectedByFilter().getOrDefault("dedup.exact", 0L);
        // Every text of the second source is also in the first: each one accepted by either is rejected by the other.
        assertThat(dedup)
                .as("the overlap was rejected as exact duplicates")
                .isPositive()
                .isGreaterThanOrEqualTo(two.documentKeys().size());
        SourceProgress p1 = h.catalog.progress(first.sourceId()).orElseThrow();
        SourceProgress p2 = h.catalog.progress(second.sourceId()).orElseThrow();
        assertThat(p1.accepted() + p2.accepted()).isEqualTo(accepted.size());
        assertThat(p1.accepted() + p1.rejected()).isEqualTo(1010);
        assertThat(p2.accepted() + p2.rejected()).isEqualTo(910);
    }

    @Test
    void uploadedFilesAreDeletedOnceEveryTaskOfTheirSourceIsPublished() {
        IngestHarness h = harness(2); // two records per task: the upload below is three tasks
        TaskWorker w = h.start(h.worker("u"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            jsonl.append("{\"text\": \"Upload cleanup record ")
                    .append(i)
                    .append(" of a run at ")
                    .append(System.nanoTime())
                    .append(". The members of this house discussed the report at length and voted on it.\"}\n");
        }
        Planned planned = h.planner.submitUploads(
                List.of(new dev.scratchlm.ingest.catalog.CatalogRepository.Upload(
                        "cleanup.jsonl", jsonl.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                null);
        assertThat(planned.tasks()).isEqualTo(3);
        await("3 tasks done", Duration.ofSeconds(60), () -> w.tasksDone() == 3);
        await("the upload deleted", Duration.ofSeconds(10), () -> h.catalog.uploadsStored(planned.sourceId()) == 0);
        IngestHarness.Published out = IngestHarness.published(
                h.bootstrap, planned.sourceId(), 6, Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertThat(out.documentKeys().size() + out.rejectedKeys().size())
                .as("every record has one fate")
                .isEqualTo(6);
    }

    @Test
    void anEmptyUploadIsDoneAtOnceAndItsBytesAreNotKept() {
        IngestHarness h = harness(2);
        Planned planned = h.planner.submitUploads(
                List.of(new dev.scratchlm.ingest.catalog.CatalogRepository.Upload(
                        "empty-" + System.nanoTime() + ".jsonl",
                        "\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                null);
        assertThat(planned.tasks()).isZero();
        assertThat(h.catalog.progress(planned.sourceId()).orElseThrow().state()).isEqualTo("done");
        assertThat(h.catalog.uploadsStored(planned.sourceId())).isZero();
    }

    @Test
    void aWorkerDyingBeforeItsKafkaCommitIsReplacedWithoutLossOrDuplicates() {
        IngestHarness h = harness(100);
        TaskWorker first = h.worker("w");
        // Dies after 3 committed tasks, in the worst window: the 4th task's catalog rows are committed and its
        // documents are sent, but the Kafka transaction (records + offset) is not committed.
        first.hook((task, done) -> {
            if (done == 3) throw new TaskWorker.SimulatedCrash("after the catalog commit of " + task.taskId());
        });
        h.start(first);
        await(
                "first worker owns partitions",
                Duration.ofSeconds(60),
                () -> !first.assignment().isEmpty());

        Planned planned =
                h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 1000L));
        assertThat(planned.tasks()).isEqualTo(10);
        await("the first worker to crash", Duration.ofSeconds(120), first::crashed);
        assertThat(first.tasksDone()).isEqualTo(3);
        assertThat(h.catalog.progress(planned.sourceId()).orElseThrow().tasksDone())
                .as("catalog has the 4th task")
                .isEqualTo(4);

        // The replica restarts with the same id: it fences the dead producer (aborting its transaction) and redoes
        // the 4th task from the same message, publishing the decisions the catalog already holds.
        TaskWorker second = h.start(h.worker("w"));
        await("all tasks done", Duration.ofSeconds(120), () -> second.tasksDone() == 7);
        IngestHarness.Published out = IngestHarness.published(
                h.bootstrap, planned.sourceId(), 1000, Duration.ofSeconds(60), Duration.ofSeconds(3));
        assertExact(h, planned, out);
        assertThat(h.catalog.progress(planned.sourceId()).orElseThrow().state()).isEqualTo("done");
    }

    @Test
    void forgedTaskRecordsOnTheTopicAreRefusedUnreadAndGoodTasksStillDone() throws Exception {
        IngestHarness h = harness(100);
        TaskWorker w = h.start(h.worker("a"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());
        Planned planned = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 200L));
        IngestTask real = h.catalog.tasks(planned.sourceId()).get(0);
        // A task no planning made, reading a file outside the allowed directories; and a planned task's id with its
        // location swapped for that file.
        IngestTask unknown = new IngestTask(
                IngestTask.SCHEMA,
                "src-forged-00000",
                "src-forged",
                "file",
                "text",
                "/etc/passwd",
                null,
                "passwd",
                0,
                10,
                null,
                "accept",
                List.of("en"),
                null,
                Instant.now(),
                null);
        IngestTask swapped = new IngestTask(
                real.schema(),
                real.taskId(),
                real.sourceId(),
                "file",
                "text",
                "/etc/passwd",
                null,
                "passwd",
                0,
                10,
                real.cutoff(),
                real.undated(),
                real.languages(),
                real.license(),
                real.plannedAt(),
                null);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(h.bootstrap))) {
            p.send(new ProducerRecord<>(h.tasksTopic, unknown.taskId(), Json.bytes(unknown)))
                    .get();
            p.send(new ProducerRecord<>(h.tasksTopic, swapped.taskId(), Json.bytes(swapped)))
                    .get();
            p.send(new ProducerRecord<>(h.tasksTopic, "junk", "not a task".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        await("two forged records refused", Duration.ofSeconds(60), () -> w.tasksRefused() == 2);
        await("the planned tasks done", Duration.ofSeconds(120), () -> w.tasksDone() >= 2);
        IngestHarness.Published out = IngestHarness.published(
                h.bootstrap, planned.sourceId(), 200, Duration.ofSeconds(60), Duration.ofSeconds(2));
        assertExact(h, planned, out);
        assertThat(out.documents()).noneMatch(d -> d.uri() != null && d.uri().contains("passwd"));
        IngestHarness.Published forged =
                IngestHarness.published(h.bootstrap, "src-forged", 0, Duration.ofSeconds(5), Duration.ofSeconds(2));
        assertThat(forged.documentKeys()).isEmpty();
        assertThat(forged.rejectedKeys()).isEmpty();
    }
}
