package dev.scratchlm.ingest.pipeline;

import java.time.LocalDate;
import java.util.Set;

/**
 * The per-source choices a step needs (the rest of its settings are service configuration).
 *
 * @param cutoff        documents dated after it are rejected as after-cutoff; null for none
 * @param acceptUndated whether documents without a date pass the cutoff step
 * @param languages     ISO 639-1 codes allowed through language identification
 */
public record SourcePolicy(LocalDate cutoff, boolean acceptUndated, Set<String> languages) {}
