package dev.scratchlm.trainer;

import dev.scratchlm.gpt.BatchSource;
import dev.scratchlm.gpt.Rng;

/**
 * nanoGPT's get_batch over the shard store: every sequence is a window of t+1 consecutive tokens starting at a
 * uniformly random offset of one split; inputs are its first t tokens, targets its last t. Windows may cross a
 * document's end-of-text (the model learns that a new document starts there) but never the train/val boundary:
 * each split is its own file.
 *
 * <p>Its whole position is the generator's state, so a checkpoint stores one long and a resumed job draws exactly
 * the batches the uninterrupted job would have drawn.
 */
public final class StoreBatchSource implements BatchSource {
    private final TokenView tokens;
    private final Rng rng;

    public StoreBatchSource(TokenView tokens, long seed) {
        this.tokens = tokens;
        this.rng = new Rng(seed);
    }

    /** Whether a window of t+1 tokens fits at all. */
    public static boolean fits(long tokens, int t) {
        return tokens >= t + 1L;
    }

    @Override
    public boolean next(int[] inputs, int[] targets, float[] mask, int b, int t) {
        long starts = tokens.size() - t; // windows [s, s + t] with s in [0, size - t - 1]
        if (starts <= 0)
            throw new IllegalStateException(
                    "split holds " + tokens.size() + " tokens, fewer than one window of " + (t + 1));
        for (int i = 0; i < b; i++) {
            long s = (rng.nextLong() >>> 1) % starts;
            int row = i * t;
            int prev = tokens.get(s);
            for (int j = 0; j < t; j++) {
                int next = tokens.get(s + j + 1);
                inputs[row + j] = prev;
                targets[row + j] = next;
                prev = next;
            }
        }
        return false;
    }

    /** The data cursor a checkpoint stores. */
    public long position() {
        return rng.state();
    }

    public void seek(long position) {
        rng.setState(position);
    }
}
