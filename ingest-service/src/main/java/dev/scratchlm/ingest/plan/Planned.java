package dev.scratchlm.ingest.plan;

/**
 * @param created false when the same source had been posted before (nothing new was queued)
 * @param tasks   null while the source is still being planned (its files read and counted)
 * @param records null while the source is still being planned
 */
public record Planned(String sourceId, boolean created, Integer tasks, Long records) {
    public boolean planning() {
        return tasks == null;
    }
}
