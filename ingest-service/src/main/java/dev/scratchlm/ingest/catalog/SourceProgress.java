package dev.scratchlm.ingest.catalog;

import java.util.Map;

/**
 * How far a source is, from the catalog (so every replica answers the same).
 *
 * @param rejectedByFilter rejected records per filter code, e.g. {@code {"language": 12, "after-cutoff": 40}}
 */
public record SourceProgress(SourceRow source, int tasksDone, long accepted, long rejected,
                             Map<String, Long> rejectedByFilter, long bytes) {
    public String state() {
        if (!source.planned()) return "planning";
        if (source.tasksTotal() == 0) return "done";
        if (tasksDone >= source.tasksTotal()) return "done";
        return tasksDone == 0 ? (source.tasksPublished() ? "queued" : "planned") : "running";
    }
}
