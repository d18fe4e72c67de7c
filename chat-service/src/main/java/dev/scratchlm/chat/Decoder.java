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
     * Starts each {@code slotIds[i]} over with {@code prompts[i]} and returns the next-token logits of each: requests
     * that arrive together get their first token after one pass. By default, one prefill after another.
     */
    default float[][] prefill(int[] slotIds, int[][] prompts) {
        float[][] out = new float[slotIds.length][];
        for (int i = 0; i < slotIds.length; i++) out[i] = prefill(slotIds[i], prompts[i]);
        return out;
    }

    /**
     * Prompt tokens, over all its prompts, that one {@link #prefill(int[], int[][])} takes at most; 0 when prompts
     * are better prefilled one at a time (each first token then goes out as soon as its own prompt is done).
     */
    default int maxPrefillTokens() {
        return 0;
    }

    /**
     * Appends {@code tokens[i]} to {@code slotIds[i]} for i in [0, n) and writes the next-token logits of each
     * into {@code out[i]} (arrays of at least vocabulary size, reused across steps).
     */
    void step(int[] slotIds, int[] tokens, int n, float[][] out);

    int vocabSize();
}
