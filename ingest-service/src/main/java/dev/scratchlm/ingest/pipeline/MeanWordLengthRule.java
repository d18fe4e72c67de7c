package dev.scratchlm.ingest.pipeline;

/** Gopher: a mean word length outside natural-language bounds means tables, code, hashes or glued text. */
public final class MeanWordLengthRule extends QualityRule {
    private final double min;
    private final double max;

    public MeanWordLengthRule(double min, double max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return "quality.mean-word-length";
    }

    @Override
    public String description() {
        return "Gopher: mean word length between " + min + " and " + max + " characters";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        double mean = doc.stats().meanWordLength();
        if (mean < min) return new Rejection(name(), "mean word length " + fmt(mean) + " < " + min);
        if (mean > max) return new Rejection(name(), "mean word length " + fmt(mean) + " > " + max);
        return null;
    }
}
