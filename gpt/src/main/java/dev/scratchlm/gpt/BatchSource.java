package dev.scratchlm.gpt;

/**
 * Supplies training or validation batches. The trainer owns the arrays and reuses them every step, so a
 * source fills them in place and allocates nothing.
 */
public interface BatchSource {
    /**
     * Fills {@code inputs[b * t]} and {@code targets[b * t]} (row-major, sequence after sequence; the
     * target at each position is the next token). A source may also write a loss mask into {@code mask}
     * (1 = train on this position, 0 = ignore; e.g. only the answer tokens in fine-tuning) and then
     * returns true; returning false means every position counts.
     */
    boolean next(int[] inputs, int[] targets, float[] mask, int b, int t);
}
