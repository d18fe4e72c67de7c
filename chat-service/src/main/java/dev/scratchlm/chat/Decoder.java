package dev.scratchlm.chat;

/**
 * What the scheduler needs from a model: a KV cache with slots, a prefill per new sequence and one batched
 * step that advances several sequences by a token each. An interface so the scheduler's fairness is
 * testable without a model; {@link KvDecoder} is the real one.
 */
interface Decoder {
    /** Concurrent sequences (cache slots). */
    int slots();

    /** Context window: cached tokens per slot. */
    int blockSize();

    /** Starts {@code slot} over with {@code prompt} and returns the logits of the next token. */
    float[] prefill(int slot, int[] prompt);

    /**
     * Appends {@code tokens[i]} to {@code slotIds[i]} for i in [0, n) and writes the next-token logits of each
     * into {@code out[i]} (arrays of at least vocabulary size, reused across steps).
     */
    void step(int[] slotIds, int[] tokens, int n, float[][] out);

    int vocabSize();
}
