package dev.scratchlm.ingest.pipeline;

/** Gopher: documents with too few words are fragments (menus, captions); too many are usually dumps. */
public final class WordCountRule extends QualityRule {
    private final int min;
    private final int max;

    public WordCountRule(int min, int max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return "quality.word-count";
    }

    @Override
    public String description() {
        return "Gopher: between " + min + " and " + max + " words";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        int words = doc.stats().words();
        if (words < min) return new Rejection(name(), words + " words, fewer than " + min);
        if (words > max) return new Rejection(name(), words + " words, more than " + max);
        return null;
    }
}
