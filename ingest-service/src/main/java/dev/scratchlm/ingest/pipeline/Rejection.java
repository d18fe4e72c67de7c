package dev.scratchlm.ingest.pipeline;

/**
 * Why a document was dropped.
 *
 * @param filter short stable code, counted in the catalog (e.g. {@code language}, {@code after-cutoff})
 * @param reason what was measured against which threshold, for a person reading the rejections
 */
public record Rejection(String filter, String reason) {}
