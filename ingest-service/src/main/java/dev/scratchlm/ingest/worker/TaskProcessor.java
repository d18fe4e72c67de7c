package dev.scratchlm.ingest.worker;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.ingest.catalog.Outcome;
import dev.scratchlm.ingest.pipeline.Doc;
import dev.scratchlm.ingest.pipeline.Normalize;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.Rejection;
import dev.scratchlm.ingest.pipeline.SourcePolicy;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.ingest.source.RawRecord;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.ingest.source.RecordReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a task's records and runs each through the pipeline. Pure with respect to the outside world: the same task
 * gives the same outcomes, which is what lets a re-delivered task publish exactly what the catalog recorded.
 */
public final class TaskProcessor {
    private final Readers readers;
    private final Pipeline pipeline;
    private final StepCounts read = new StepCounts("read", "read records (decompress, split, decode strictly, parse)");

    public TaskProcessor(Readers readers, Pipeline pipeline) {
        this.readers = readers;
        this.pipeline = pipeline;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public StepCounts readStats() {
        return read;
    }

    public static SourcePolicy policy(IngestTask task) {
        return new SourcePolicy(task.cutoff(), !"reject".equals(task.undated()), Set.copyOf(task.languages()));
    }

    public List<Outcome> process(IngestTask task) {
        SourcePolicy policy = policy(task);
        List<Outcome> outcomes = new ArrayList<>();
        try (RecordReader reader = readers.open(task)) {
            while (true) {
                long t0 = System.nanoTime();
                RawRecord rec = reader.next();
                if (rec == null) break;
                read.record(1, rec.bytes(), System.nanoTime() - t0, rec.error() == null ? 0 : 1);
                outcomes.add(rec.error() != null ? unreadable(task, rec) : run(task, rec, policy));
            }
            long next = nextRecord(task, outcomes);
            if (next < task.endRecord() && task.endRecord() != Long.MAX_VALUE) {
                // Planning counted more records than the file now has: it changed since. Say so rather than lose them.
                outcomes.add(new Outcome(
                        next,
                        locationId(task, task.uri(), next),
                        task.uri(),
                        null,
                        null,
                        null,
                        0,
                        null,
                        "read.io",
                        "the file ended before record " + next + " of this task's " + task.firstRecord() + ".."
                                + (task.endRecord() - 1) + ": it changed after the source was planned"));
            }
        } catch (IOException | RuntimeException e) {
            // The file cannot be opened (gone, unreadable) or breaks off (truncated): one more entry says where, once.
            String uri = task.uri();
            long no = nextRecord(task, outcomes);
            String reason = outcomes.isEmpty()
                    ? "cannot open " + uri + ": " + e
                    : "reading " + uri + " stopped after record " + (no - 1) + ": " + e;
            outcomes.add(new Outcome(no, locationId(task, uri, no), uri, null, null, null, 0, null, "read.io", reason));
        }
        return outcomes;
    }

    /** The number of the record after the last one with an outcome. */
    private static long nextRecord(IngestTask task, List<Outcome> outcomes) {
        return outcomes.isEmpty() ? task.firstRecord() : outcomes.get(outcomes.size() - 1).recordNo + 1;
    }

    private Outcome run(IngestTask task, RawRecord rec, SourcePolicy policy) {
        Doc doc = new Doc(rec.recordNo(), rec.uri(), rec.contentType(), rec.text(), rec.bytes());
        doc.title = rec.title();
        doc.date = rec.date();
        doc.languageHint = rec.languageHint();
        Rejection r;
        try {
            r = pipeline.run(doc, policy);
        } catch (RuntimeException e) {
            // A step that fails on one record rejects that record, with the error, and the rest of the file goes on.
            r = new Rejection("internal", "a pipeline step failed on this record: " + e);
            doc.id = null;
        }
        String id = doc.id != null ? doc.id : locationId(task, rec.uri(), rec.recordNo());
        return new Outcome(
                rec.recordNo(),
                id,
                rec.uri(),
                doc.title,
                doc.date,
                doc.language,
                rec.bytes(),
                doc,
                r == null ? null : r.filter(),
                r == null ? null : r.reason());
    }

    private static Outcome unreadable(IngestTask task, RawRecord rec) {
        return new Outcome(
                rec.recordNo(),
                locationId(task, rec.uri(), rec.recordNo()),
                rec.uri(),
                rec.title(),
                rec.date(),
                null,
                rec.bytes(),
                null,
                rec.error().filter(),
                rec.error().reason());
    }

    /** An id for a record without normalized text: derived from where it was read, stable across re-processing. */
    static String locationId(IngestTask task, String uri, long recordNo) {
        return Normalize.sha256(task.sourceId() + "|" + task.taskId() + "|" + uri + "|" + recordNo);
    }
}
