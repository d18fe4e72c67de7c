package dev.scratchlm.ingest.plan;

import java.util.List;

/** Per-source overrides of the service defaults (all optional). */
public record SourceOptions(String cutoff, List<String> languages, String undated, String license, Long limit) {
    public static final SourceOptions DEFAULTS = new SourceOptions(null, null, null, null, null);
}
