package dev.scratchlm.ingest.pipeline;

/**
 * One step of the per-document pipeline (datatrove-style): it may change the document, or reject it with a reason.
 * Steps are pure functions of the document and the source's policy, so re-processing a task gives the same answers.
 */
public interface Step {
    /** Stable name shown on the status page and in metrics. */
    String name();

    /** One line for people: what the step does and with which thresholds. */
    String description();

    /** @return null to keep the document, otherwise why it is dropped */
    Rejection apply(Doc doc, SourcePolicy policy);
}
