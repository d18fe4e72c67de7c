package dev.scratchlm.ingest.pipeline;

/** Gopher: many '#' or ellipses per word is hashtag spam or truncated snippets, not prose. */
public final class SymbolRatioRule extends QualityRule {
    private final double max;

    public SymbolRatioRule(double max) {
        this.max = max;
    }

    @Override
    public String name() {
        return "quality.symbol-ratio";
    }

    @Override
    public String description() {
        return "Gopher: ('#' + ellipses) / words at most " + max;
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        TextStats s = doc.stats();
        double ratio = s.words() == 0 ? Double.POSITIVE_INFINITY : (double) s.symbols() / s.words();
        return ratio > max ? new Rejection(name(), "symbol-to-word ratio " + fmt(ratio) + " > " + max) : null;
    }
}
