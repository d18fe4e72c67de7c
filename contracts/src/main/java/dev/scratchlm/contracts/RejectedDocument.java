package dev.scratchlm.contracts;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A document (or an unreadable record) that a filter refused, on {@link Topics#DOCUMENTS_REJECTED}.
 * Nothing vanishes silently: every input record ends up either in documents or here.
 *
 * @param id     document id when the text could be normalized, otherwise an id derived from the record's location
 * @param filter the step that rejected it (e.g. {@code language}, {@code quality.word-count}, {@code dedup.exact})
 * @param reason human-readable detail (measured value and threshold, the duplicate's id, the parse error)
 */
public record RejectedDocument(
        int schema,
        String id,
        String sourceId,
        String uri,
        String filter,
        String reason,
        String language,
        LocalDate date,
        Instant rejectedAt) {
    public static final int SCHEMA = 1;
}
