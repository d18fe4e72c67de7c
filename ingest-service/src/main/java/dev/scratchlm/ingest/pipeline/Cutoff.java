package dev.scratchlm.ingest.pipeline;

/**
 * The knowledge cutoff: what the model can know ends where data collection ends. Documents dated after the cutoff
 * are rejected; undated ones follow the source's policy (accept or reject), since their date cannot be checked.
 */
public final class Cutoff implements Step {
    @Override
    public String name() {
        return "cutoff";
    }

    @Override
    public String description() {
        return "reject documents dated after the cutoff (after-cutoff); undated per policy (undated)";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        if (doc.date == null) {
            return policy.acceptUndated() ? null : new Rejection("undated", "no date and the undated policy is reject");
        }
        if (policy.cutoff() != null && doc.date.isAfter(policy.cutoff())) {
            return new Rejection("after-cutoff", "dated " + doc.date + ", after the cutoff " + policy.cutoff());
        }
        return null;
    }
}
