package dev.scratchlm.ingest.catalog;

import java.time.LocalDate;
import java.util.Map;

/** Totals over every source: what went to the documents topic and what did not, and why. */
public record CatalogStats(
        long sources,
        long tasksDone,
        long tasksTotal,
        long accepted,
        long rejected,
        long bytes,
        Map<String, Long> acceptedByLanguage,
        Map<String, Long> rejectedByFilter,
        LocalDate firstDate,
        LocalDate lastDate,
        long undatedAccepted) {}
