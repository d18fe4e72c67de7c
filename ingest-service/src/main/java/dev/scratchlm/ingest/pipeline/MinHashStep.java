package dev.scratchlm.ingest.pipeline;

/**
 * Computes the document's LSH band keys. The near-duplicate decision itself needs every document seen so far, so it
 * happens in the catalog (band keys in PostgreSQL), after this step; this step only does the hashing work.
 */
public final class MinHashStep implements Step {
    private final MinHash minHash;

    public MinHashStep(MinHash minHash) {
        this.minHash = minHash;
    }

    @Override
    public String name() {
        return "minhash";
    }

    @Override
    public String description() {
        return "MinHash of word " + MinHash.SHINGLE_WORDS + "-gram shingles, " + minHash.bands() + " bands x "
                + minHash.rows() + " rows = " + minHash.bands() * minHash.rows() + " hashes";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        doc.bandKeys = minHash.bandKeys(minHash.signature(doc.text));
        return null;
    }
}
