package dev.scratchlm.ingest.plan;

/**
 * @param created false when the same source had been posted before (nothing new was queued)
 */
public record Planned(String sourceId, boolean created, int tasks, long records) {
}
