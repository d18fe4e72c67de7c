package dev.scratchlm.ingest.catalog;

import java.util.List;
import java.util.Map;

/**
 * How far a source is, from the catalog (so every replica answers the same).
 *
 * @param rejectedByFilter rejected records per filter code, e.g. {@code {"language": 12, "after-cutoff": 40}}
 * @param failed           tasks that failed every attempt and went to the dead-letter topic
 */
public record SourceProgress(
        SourceRow source,
        int tasksDone,
        long accepted,
        long rejected,
        Map<String, Long> rejectedByFilter,
        long bytes,
        List<CatalogRepository.TaskFailure> failed) {
    public String state() {
        if (!source.planned()) return "planning";
        if (source.tasksTotal() == 0) return "done";
        if (tasksDone >= source.tasksTotal()) return "done";
        if (!failed.isEmpty() && tasksDone + failed.size() >= source.tasksTotal()) return "failed";
        return tasksDone == 0 ? (source.tasksPublished() ? "queued" : "planned") : "running";
    }
}
