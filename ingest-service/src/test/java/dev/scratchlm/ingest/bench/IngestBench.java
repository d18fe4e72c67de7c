package dev.scratchlm.ingest.bench;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.catalog.SourceProgress;
import dev.scratchlm.ingest.pipeline.Doc;
import dev.scratchlm.ingest.pipeline.LanguageId;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.pipeline.SourcePolicy;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.ingest.plan.Planned;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.plan.SourceRequest;
import dev.scratchlm.ingest.source.RawRecord;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.ingest.source.RecordReader;
import dev.scratchlm.ingest.source.SourceFormat;
import dev.scratchlm.ingest.source.WarcRecordsTestSupport;
import dev.scratchlm.ingest.worker.IngestHarness;
import dev.scratchlm.ingest.worker.TaskProcessor;
import dev.scratchlm.ingest.worker.TaskWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import org.netpreserve.jwarc.WarcCompression;

/**
 * {@code ./scratchlm bench ingest [workers] [taskRecords]}: the Europarl demo corpus (17,597 documents) end to end
 * through a fresh broker and database: plan, tasks on the topic, workers, catalog transactions, Kafka transactions.
 * Then, as the peer in the same process, the per-document steps alone on one thread over the same records, and
 * once more with Lingua's detector deciding every text (the language step before its fast path) as its reference.
 * Then a 20,000-page WARC.gz read task by task from the seek points planning notes, against each task reading the file
 * from its start.
 * Prints per-stage documents/s and MB/s (input bytes per second of time spent in the stage), and last one line
 * {@code docs=N wall_s=X mb_per_s=Y}, after a line with the one-core step figures.
 */
public final class IngestBench {
    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int taskRecords = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING); // the broker's INFO lines drown the results
        Path jar = TestData.europarlJar();

        System.out.printf(
                "ingest bench: Europarl from %s, %d worker(s), %d records per task%n",
                jar.getFileName(), workers, taskRecords);
        try (DevStack stack = DevStack.start(0, 0, null)) {
            System.out.println("stack: " + stack.kind());
            System.out.printf(
                    Locale.ROOT,
                    "load average before: %.1f on %d cores (other processes share these cores)%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            Pipeline pipeline = Pipeline.standard(PipelineSettings.defaults());
            try (IngestHarness h = new IngestHarness(
                    stack.bootstrapServers(),
                    stack.jdbcUrl(),
                    stack.user(),
                    stack.password(),
                    pipeline,
                    taskRecords,
                    List.of(jar.getParent()))) {
                List<TaskWorker> ws = new ArrayList<>();
                for (int i = 0; i < workers; i++) ws.add(h.start(h.worker("bench" + i)));
                IngestHarness.await(
                        "workers own partitions",
                        Duration.ofSeconds(60),
                        () -> ws.stream().allMatch(w -> !w.assignment().isEmpty()) || workers > 4);

                long t0 = System.nanoTime();
                Planned planned =
                        h.planner.submit(new SourceRequest("europarl", jar.toString(), null, null, null, null, null));
                long tPlanned = System.nanoTime();
                IngestHarness.await(
                        "all tasks committed",
                        Duration.ofMinutes(10),
                        () -> ws.stream().mapToLong(TaskWorker::tasksDone).sum() >= planned.tasks());
                double wall = (System.nanoTime() - t0) / 1e9;

                SourceProgress p = h.catalog.progress(planned.sourceId()).orElseThrow();
                IngestHarness.Published out = IngestHarness.published(
                        h.bootstrap,
                        planned.sourceId(),
                        planned.records(),
                        Duration.ofMinutes(2),
                        Duration.ofSeconds(2));
                boolean exact = p.accepted() + p.rejected() == planned.records()
                        && out.documentKeys().size() == p.accepted()
                        && new HashSet<>(out.documentKeys()).size() == p.accepted()
                        && out.rejectedKeys().size() == p.rejected();
                double mb = p.bytes() / 1e6;

                System.out.printf(
                        "%nend to end: %d records (%.1f MB) in %d tasks, planning %.2f s, total %.2f s%n",
                        planned.records(), mb, planned.tasks(), (tPlanned - t0) / 1e9, wall);
                System.out.printf("accepted %d, rejected %d %s%n", p.accepted(), p.rejected(), p.rejectedByFilter());
                System.out.printf(
                        "topics: %d documents, %d rejections, counts exact and no duplicates: %s%n",
                        out.documentKeys().size(), out.rejectedKeys().size(), exact);
                System.out.printf(
                        "tasks per worker: %s%n",
                        ws.stream()
                                .map(w -> w.workerId().split("-")[0] + "=" + w.tasksDone())
                                .toList());
                System.out.println(
                        "\nper stage, summed over the workers' threads (MB/s = input MB per second spent in the stage):");
                table(h.stages());

                // The peer, same process: the per-document steps alone, one thread, the same records, no I/O.
                Pipeline alone = Pipeline.standard(PipelineSettings.defaults());
                double aloneSeconds = pipelineAlone(jar, alone);
                System.out.println("\npeer: the per-document steps alone on one thread (no Kafka, no PostgreSQL):");
                table(alone.stats());
                LanguageId language = alone.languageId();
                System.out.printf(
                        "language: %d documents decided by the fast path, %d by Lingua's detector (close calls, other scripts)%n",
                        language.decidedFast(), language.decidedByLingua());
                double stepsMbPerSec = mb / aloneSeconds;
                System.out.printf(
                        Locale.ROOT,
                        "per-document steps on one core: %.2f MB/s (%.0f docs/s); end to end %.2f MB/s = %.2fx of it%n",
                        stepsMbPerSec,
                        planned.records() / aloneSeconds,
                        mb / wall,
                        (mb / wall) / stepsMbPerSec);

                // The reference for the language step, same process and records: Lingua's detector decides every text.
                Pipeline linguaOnly =
                        Pipeline.standard(PipelineSettings.defaults().withLanguageFastMargin(1));
                double linguaSeconds = pipelineAlone(jar, linguaOnly);
                double fastLanguage = step(alone, "language").mbPerSecond(),
                        linguaLanguage = step(linguaOnly, "language").mbPerSecond();
                System.out.printf(
                        Locale.ROOT,
                        "reference, Lingua's detector for every text (fast-margin 1): language %.1f MB/s, all steps %.2f MB/s;"
                                + " the fast path is %.1fx on the language step, %.1fx on all steps%n",
                        linguaLanguage,
                        mb / linguaSeconds,
                        fastLanguage / linguaLanguage,
                        linguaSeconds / aloneSeconds);
                warcSeek();
                System.out.printf(
                        Locale.ROOT,
                        "load average after: %.1f%n",
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                .getSystemLoadAverage());
                System.out.printf(
                        Locale.ROOT,
                        "per-document steps on one core: steps_mb_per_s=%.2f language_mb_per_s=%.1f%n",
                        stepsMbPerSec,
                        fastLanguage);
                // The last line is the one the issue names, and nothing else.
                System.out.printf(
                        Locale.ROOT, "docs=%d wall_s=%.2f mb_per_s=%.2f%n", planned.records(), wall, mb / wall);
                if (!exact) System.exit(1);
            }
        }
    }

    /**
     * A WARC.gz cut into tasks: every task read from the seek point planning noted (the gzip member of its first
     * record), against the same tasks each reading the file from its start, as they did before seek points.
     */
    static void warcSeek() throws Exception {
        Path dir = Files.createTempDirectory("scratchlm-warc-bench");
        try {
            Path file = dir.resolve("crawl.warc.gz");
            int pages = 20_000, taskRecords = 1000;
            WarcRecordsTestSupport.writePages(file, WarcCompression.GZIP, pages, 4000);
            Readers readers = new Readers(IngestHarness.LIMITS, id -> {
                throw new IOException("no uploads here");
            });
            long t0 = System.nanoTime();
            Readers.Layout layout = readers.scan(file.toString(), null, SourceFormat.WARC, taskRecords);
            double scan = (System.nanoTime() - t0) / 1e9;
            double seek = readTasks(readers, file, layout, taskRecords, true);
            double fromStart = readTasks(readers, file, layout, taskRecords, false);
            System.out.printf(
                    Locale.ROOT,
                    "%nWARC.gz of %d pages (%.1f MB) in %d tasks: planning's pass %.2f s; the tasks read from"
                            + " their seek points in %.2f s, each from the file's start in %.2f s (%.1fx)%n",
                    pages,
                    Files.size(file) / 1e6,
                    (pages + taskRecords - 1) / taskRecords,
                    scan,
                    seek,
                    fromStart,
                    fromStart / seek);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Reads every task of the file; @return seconds. */
    static double readTasks(Readers readers, Path file, Readers.Layout layout, int taskRecords, boolean seek)
            throws IOException {
        long t0 = System.nanoTime();
        long records = 0;
        for (long start = 0; start < layout.records(); start += taskRecords) {
            IngestTask task = new IngestTask(
                    IngestTask.SCHEMA,
                    "w",
                    "w",
                    "warc",
                    SourceFormat.WARC.id(),
                    file.toString(),
                    null,
                    "crawl.warc.gz",
                    start,
                    Math.min(layout.records(), start + taskRecords),
                    null,
                    "accept",
                    List.of("en"),
                    null,
                    null,
                    seek ? layout.seeks().get(start) : null);
            try (RecordReader r = readers.open(task)) {
                for (RawRecord rec = r.next(); rec != null; rec = r.next()) {
                    if (rec.error() != null)
                        throw new IllegalStateException("record " + rec.recordNo() + ": " + rec.error());
                    records++;
                }
            }
        }
        if (records != layout.records())
            throw new IllegalStateException(records + " records read of " + layout.records());
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Reads every record and runs the steps on this thread; @return seconds spent in the steps. */
    static double pipelineAlone(Path jar, Pipeline pipeline) throws Exception {
        Readers readers = new Readers(IngestHarness.LIMITS, id -> {
            throw new IllegalStateException();
        });
        IngestTask task = new IngestTask(
                IngestTask.SCHEMA,
                "peer",
                "peer",
                "europarl",
                "europarl",
                jar.toString(),
                SourcePlanner.EUROPARL_ENTRY,
                "europarl",
                0,
                Long.MAX_VALUE,
                LocalDate.of(2010, 12, 31),
                "accept",
                PipelineSettings.defaults().detectLanguages(),
                null,
                null,
                null);
        SourcePolicy policy = TaskProcessor.policy(task);
        List<RawRecord> records = new ArrayList<>();
        try (RecordReader r = readers.open(task)) {
            for (RawRecord rec = r.next(); rec != null; rec = r.next()) records.add(rec);
        }
        long nanos = 0;
        for (RawRecord rec : records) {
            Doc doc = new Doc(rec.recordNo(), rec.uri(), rec.contentType(), rec.text(), rec.bytes());
            doc.date = rec.date();
            long t0 = System.nanoTime();
            pipeline.run(doc, policy);
            nanos += System.nanoTime() - t0;
        }
        return nanos / 1e9;
    }

    static StepCounts step(Pipeline pipeline, String name) {
        return pipeline.stats().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static void table(List<StepCounts> stats) {
        System.out.printf("  %-26s %8s %8s %9s %9s %10s%n", "stage", "docs", "rejected", "seconds", "MB/s", "docs/s");
        for (StepCounts s : stats) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-26s %8d %8d %9.3f %9.1f %10.0f%n",
                    s.name(),
                    s.docs(),
                    s.rejected(),
                    s.seconds(),
                    s.mbPerSecond(),
                    s.docsPerSecond());
        }
    }

    private IngestBench() {}
}
