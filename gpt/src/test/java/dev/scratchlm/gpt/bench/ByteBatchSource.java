package dev.scratchlm.gpt.bench;

import dev.scratchlm.gpt.BatchSource;
import dev.scratchlm.gpt.Rng;

/**
 * Byte-level batches from a byte array (a tokenizer with no merges: token = byte, vocab 256), as
 * nanoGPT's get_batch: each sequence starts at a uniformly random offset, targets are shifted by one.
 * Its position is the generator's state, so a resumed run draws the same batches.
 */
public final class ByteBatchSource implements BatchSource {
    private final byte[] data;
    private final int from, to;
    private final Rng rng;

    /** Windows drawn from data[from, to). */
    public ByteBatchSource(byte[] data, int from, int to, long seed) {
        this.data = data;
        this.from = from;
        this.to = to;
        this.rng = new Rng(seed);
    }

    @Override
    public boolean next(int[] inputs, int[] targets, float[] mask, int b, int t) {
        if (to - from <= t + 1)
            throw new IllegalArgumentException("text shorter than one sequence of " + (t + 1) + " bytes");
        for (int i = 0; i < b; i++) {
            int start = from + rng.nextInt(to - from - t - 1);
            for (int j = 0; j < t; j++) {
                inputs[i * t + j] = data[start + j] & 0xff;
                targets[i * t + j] = data[start + j + 1] & 0xff;
            }
        }
        return false;
    }

    public long position() {
        return rng.state();
    }

    public void seek(long position) {
        rng.setState(position);
    }
}
