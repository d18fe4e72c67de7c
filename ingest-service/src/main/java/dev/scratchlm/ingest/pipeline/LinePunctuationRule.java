package dev.scratchlm.ingest.pipeline;

/**
 * C4 keeps only lines ending in terminal punctuation; as a document rule (FineWeb's form) a document whose lines
 * almost never end a sentence is a list of links, a menu or a table.
 */
public final class LinePunctuationRule extends QualityRule {
    private final double min;

    public LinePunctuationRule(double min) {
        this.min = min;
    }

    @Override
    public String name() {
        return "quality.line-punctuation";
    }

    @Override
    public String description() {
        return "C4: share of lines ending in terminal punctuation at least " + min;
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        TextStats s = doc.stats();
        double share = s.lines() == 0 ? 0 : (double) s.punctuatedLines() / s.lines();
        return share < min
                ? new Rejection(name(), "share of lines ending in punctuation " + fmt(share) + " < " + min)
                : null;
    }
}
