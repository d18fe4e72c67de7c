package dev.scratchlm.chat;

import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.KvCacheDecoder;

/** {@link Decoder} on the gpt module's KV cache: one batched decode call per step, buffers reused. */
final class KvDecoder implements Decoder {
    private final KvCacheDecoder cache;
    private final int slots;
    // KvCacheDecoder takes arrays whose length is the batch: keep one pair per batch size, so a step allocates nothing.
    private final int[][] slotsBySize, tokensBySize;
    private final float[][][] outBySize;

    KvDecoder(Gpt model, int slots) {
        this.cache = new KvCacheDecoder(model, slots);
        this.slots = slots;
        this.slotsBySize = new int[slots + 1][];
        this.tokensBySize = new int[slots + 1][];
        this.outBySize = new float[slots + 1][][];
        for (int n = 1; n <= slots; n++) {
            slotsBySize[n] = new int[n];
            tokensBySize[n] = new int[n];
            outBySize[n] = new float[n][];
        }
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int blockSize() {
        return cache.config().blockSize();
    }

    @Override
    public int vocabSize() {
        return cache.config().vocabSize();
    }

    @Override
    public float[] prefill(int slot, int[] prompt) {
        cache.reset(slot);
        return cache.prefill(slot, prompt);
    }

    @Override
    public void step(int[] slotIds, int[] tokens, int n, float[][] out) {
        int[] s = slotsBySize[n], t = tokensBySize[n];
        System.arraycopy(slotIds, 0, s, 0, n);
        System.arraycopy(tokens, 0, t, 0, n);
        float[][] o = outBySize[n];
        System.arraycopy(out, 0, o, 0, n);
        cache.decode(s, t, o);
    }
}
