package dev.scratchlm.ingest.source;

import dev.scratchlm.ingest.pipeline.Rejection;
import java.time.LocalDate;

/**
 * One record as a reader found it: either text with its provenance, or an error saying why it cannot be read.
 *
 * @param recordNo    position among the file's records (what task ranges count)
 * @param contentType text/html for the extract step, text/plain otherwise
 * @param bytes       size of the record as read, for throughput figures
 * @param error       non-null for an unreadable record (malformed, invalid UTF-8, binary, oversized, ...)
 */
public record RawRecord(
        long recordNo,
        String uri,
        String contentType,
        String text,
        int bytes,
        String title,
        LocalDate date,
        String languageHint,
        Rejection error) {

    public static RawRecord unreadable(long recordNo, String uri, int bytes, String filter, String reason) {
        return new RawRecord(recordNo, uri, null, null, bytes, null, null, null, new Rejection(filter, reason));
    }
}
