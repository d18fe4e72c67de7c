package dev.scratchlm.ingest.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A source as the catalog keeps it.
 *
 * @param tasksTotal  null while the source is being planned
 * @param recordLimit at most this many records (the {@code limit} option); null: all
 */
public record SourceRow(
        String id,
        String type,
        String location,
        LocalDate cutoff,
        String undated,
        List<String> languages,
        String license,
        Integer tasksTotal,
        boolean tasksPublished,
        Instant createdAt,
        Long recordLimit) {
    public boolean planned() {
        return tasksTotal != null;
    }
}
