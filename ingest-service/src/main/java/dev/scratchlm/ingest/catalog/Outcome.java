package dev.scratchlm.ingest.catalog;

import dev.scratchlm.ingest.pipeline.Doc;
import java.time.LocalDate;

/**
 * What became of one input record: accepted (filter null) or rejected by a filter with a reason. The pipeline
 * fills it; the catalog may still turn an accepted one into a duplicate.
 */
public final class Outcome {
    public final long recordNo;
    public final String docId;
    public final String uri;
    public final String title;
    public final LocalDate date;
    public final String language;
    public final int bytes;
    /** The processed document when the record was readable (text, PII counts, band keys), else null. */
    public final Doc doc;

    private String filter;
    private String reason;

    public Outcome(
            long recordNo,
            String docId,
            String uri,
            String title,
            LocalDate date,
            String language,
            int bytes,
            Doc doc,
            String filter,
            String reason) {
        this.recordNo = recordNo;
        this.docId = docId;
        this.uri = uri;
        this.title = title;
        this.date = date;
        this.language = language;
        this.bytes = bytes;
        this.doc = doc;
        this.filter = filter;
        this.reason = reason;
    }

    public boolean accepted() {
        return filter == null;
    }

    public String filter() {
        return filter;
    }

    public String reason() {
        return reason;
    }

    public void reject(String filter, String reason) {
        this.filter = filter;
        this.reason = reason;
    }

    /** Restores the decision the catalog recorded the first time (a replayed task must publish the same). */
    void restore(boolean accepted, String filter, String reason) {
        this.filter = accepted ? null : filter;
        this.reason = accepted ? null : reason;
    }
}
