package dev.scratchlm.ingest.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** A source as the catalog keeps it. */
public record SourceRow(String id, String type, String location, LocalDate cutoff, String undated,
                        List<String> languages, String license, int tasksTotal, boolean tasksPublished,
                        Instant createdAt) {
}
