package dev.scratchlm.ingest.pipeline;

/** Gopher repetition: a document repeating its own lines is boilerplate, and models learn to loop from it. */
public final class DuplicateLinesRule extends QualityRule {
    private final double max;

    public DuplicateLinesRule(double max) {
        this.max = max;
    }

    @Override
    public String name() {
        return "quality.duplicate-lines";
    }

    @Override
    public String description() {
        return "Gopher: share of lines repeating an earlier line at most " + max;
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        TextStats s = doc.stats();
        double share = s.lines() == 0 ? 0 : (double) s.duplicateLines() / s.lines();
        return share > max ? new Rejection(name(), "share of duplicate lines " + fmt(share) + " > " + max) : null;
    }
}
