package dev.scratchlm.ingest.worker;

import static dev.scratchlm.ingest.worker.IngestHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.catalog.CatalogRepository.Upload;
import dev.scratchlm.ingest.catalog.SourceProgress;
import dev.scratchlm.ingest.catalog.SourceRow;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.plan.Planned;
import dev.scratchlm.ingest.plan.SourceRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Planning (reading every file of a source once) runs in the background: a request that would wait too long answers
 * "planning", and a source whose planning replica stopped is planned by another, with nothing lost.
 */
class SourcePlanningTest {
    static Pipeline pipeline;
    static Path jar;
    IngestHarness harness;

    @BeforeAll
    static void stack() {
        pipeline = Pipeline.standard(PipelineSettings.defaults());
        jar = TestData.europarlJar();
    }

    IngestHarness harness(Duration planWait) {
        harness = IngestHarness.onSharedStack(pipeline, 100, planWait);
        return harness;
    }

    @AfterEach
    void close() throws InterruptedException {
        if (harness != null) harness.close();
    }

    static SourceProgress awaitDone(IngestHarness h, String sourceId) {
        await(
                "source " + sourceId + " done",
                Duration.ofSeconds(120),
                () -> h.catalog
                        .progress(sourceId)
                        .map(p -> p.state().equals("done"))
                        .orElse(false));
        return h.catalog.progress(sourceId).orElseThrow();
    }

    @Test
    void aRequestThatWouldWaitTooLongAnswersPlanningAndTheSourceIsPlannedInTheBackground() {
        IngestHarness h = harness(Duration.ZERO);
        TaskWorker w = h.start(h.worker("p"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());

        Planned planned = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 300L));
        assertThat(planned.created()).isTrue();
        assertThat(planned.planning()).as("answered before planning ended").isTrue();
        assertThat(planned.records()).isNull();

        SourceProgress done = awaitDone(h, planned.sourceId());
        assertThat(done.source().tasksTotal()).isEqualTo(3);
        assertThat(done.accepted() + done.rejected())
                .as("every record has one fate")
                .isEqualTo(300);
        Planned again = h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, 300L));
        assertThat(again.created()).isFalse();
        assertThat(again.tasks()).isEqualTo(3);
        assertThat(again.records()).isEqualTo(300);
    }

    @Test
    void aSourceWhosePlanningReplicaStoppedIsPlannedByAnother() {
        IngestHarness h = harness(Duration.ofSeconds(60));
        TaskWorker w = h.start(h.worker("q"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());

        // What a replica that stopped while planning leaves: the sources stored, their leases lapsed, no tasks.
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            jsonl.append("{\"text\": \"Takeover record ")
                    .append(i)
                    .append(" of a run at ")
                    .append(System.nanoTime())
                    .append(". The members of this house discussed the report at length and voted on it.\"}\n");
        }
        String upload = "src-takeover-" + System.nanoTime(), europarl = "src-takeover-ep-" + System.nanoTime();
        Instant now = Instant.now();
        LocalDate cutoff = LocalDate.of(2010, 12, 31);
        List<String> langs = PipelineSettings.defaults().detectLanguages();
        assertThat(h.catalog.createSource(
                        new SourceRow(
                                upload, "upload", "[a.jsonl]", cutoff, "accept", langs, null, null, false, now, null),
                        Map.of(
                                upload + "-0",
                                new Upload("a.jsonl", jsonl.toString().getBytes(StandardCharsets.UTF_8))),
                        Duration.ZERO))
                .isTrue();
        assertThat(h.catalog.createSource(
                        new SourceRow(
                                europarl,
                                "europarl",
                                jar.toString(),
                                cutoff,
                                "accept",
                                langs,
                                null,
                                null,
                                false,
                                now,
                                150L),
                        Map.of(),
                        Duration.ZERO))
                .isTrue();
        assertThat(h.catalog.progress(upload).orElseThrow().state()).isEqualTo("planning");

        h.planner.republishPending(0);
        assertThat(h.catalog.claimUnplanned(Duration.ofSeconds(60)))
                .as("the lease is taken: no second planner")
                .isEmpty();

        SourceProgress up = awaitDone(h, upload);
        assertThat(up.source().tasksTotal()).isEqualTo(1);
        assertThat(up.accepted() + up.rejected()).isEqualTo(5);
        SourceProgress ep = awaitDone(h, europarl);
        assertThat(ep.source().tasksTotal())
                .as("150 records (its limit) in tasks of 100")
                .isEqualTo(2);
        assertThat(ep.accepted() + ep.rejected()).isEqualTo(150);
        await("the upload deleted", Duration.ofSeconds(10), () -> h.catalog.uploadsStored(upload) == 0);
    }

    @Test
    void aSourceWhoseFilesCannotBeReadStaysUnplannedAndIsPlannedOnceTheyCanBe() throws Exception {
        IngestHarness h = harness(Duration.ofSeconds(60));
        TaskWorker w = h.start(h.worker("r"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());
        // A folder source whose volume is not mounted (yet) when a replica takes over its planning.
        Path folder = jar.getParent().resolve("unmounted-" + System.nanoTime());
        String id = "src-unmounted-" + System.nanoTime();
        List<String> langs = PipelineSettings.defaults().detectLanguages();
        assertThat(h.catalog.createSource(
                        new SourceRow(
                                id,
                                "folder",
                                folder.toString(),
                                LocalDate.of(2010, 12, 31),
                                "accept",
                                langs,
                                null,
                                null,
                                false,
                                Instant.now(),
                                null),
                        Map.of(),
                        Duration.ZERO))
                .isTrue();
        h.planner.republishPending(0);
        await(
                "the failed planning recorded",
                Duration.ofSeconds(30),
                () -> h.catalog.planningError(id).isPresent());
        assertThat(h.catalog.planningError(id).orElseThrow()).contains("not a folder");
        SourceProgress waiting = h.catalog.progress(id).orElseThrow();
        assertThat(waiting.state()).as("not done with zero records").isEqualTo("planning");
        assertThat(waiting.source().tasksTotal()).isNull();
        assertThat(h.catalog.claimUnplanned(Duration.ofSeconds(60)))
                .as("backing off before the next try")
                .isEmpty();

        // The volume arrives; once the backoff has passed, the next round of the republisher plans it.
        java.nio.file.Files.createDirectories(folder);
        java.nio.file.Files.writeString(
                folder.resolve("a.txt"),
                "The members of this house discussed the report at length "
                        + "and voted on it late in the evening, after a long debate about the budget of the coming year.");
        try {
            await("planned after the backoff", Duration.ofSeconds(60), () -> {
                h.planner.republishPending(0);
                return h.catalog.source(id).orElseThrow().planned();
            });
            assertThat(h.catalog.source(id).orElseThrow().tasksTotal()).isEqualTo(1);
            SourceProgress done = awaitDone(h, id);
            assertThat(done.accepted() + done.rejected()).isEqualTo(1);
            assertThat(h.catalog.planningError(id)).isEmpty();
            // A source with tasks is not planned again: its records are counted already.
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                                    () -> h.planner.planAgain(id), dev.scratchlm.ingest.plan.BadSourceException.class)
                            .getMessage())
                    .contains("has 1 tasks");
        } finally {
            java.nio.file.Files.deleteIfExists(folder.resolve("a.txt"));
            java.nio.file.Files.deleteIfExists(folder);
        }
    }

    @Test
    void aSourcePlannedWithNoTasksCanBePlannedAgainOnRequest() {
        IngestHarness h = harness(Duration.ofSeconds(60));
        TaskWorker w = h.start(h.worker("s"));
        await(
                "the worker owns partitions",
                Duration.ofSeconds(60),
                () -> !w.assignment().isEmpty());
        // What the old planner left for a source it could not read: planned, with no tasks.
        String id = "src-empty-" + System.nanoTime();
        assertThat(h.catalog.createSource(
                        new SourceRow(
                                id,
                                "europarl",
                                jar.toString(),
                                LocalDate.of(2010, 12, 31),
                                "accept",
                                PipelineSettings.defaults().detectLanguages(),
                                null,
                                null,
                                false,
                                Instant.now(),
                                100L),
                        Map.of(),
                        Duration.ofSeconds(60)))
                .isTrue();
        assertThat(h.catalog.storeTasks(id, List.of())).isTrue();
        assertThat(h.catalog.progress(id).orElseThrow().state()).isEqualTo("done");
        Planned p = h.planner.planAgain(id);
        assertThat(p.tasks()).isEqualTo(1);
        SourceProgress done = awaitDone(h, id);
        assertThat(done.accepted() + done.rejected()).isEqualTo(100);
    }
}
