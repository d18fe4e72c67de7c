package dev.scratchlm.chat;

import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.KvCacheDecoder;
import org.eclipse.microprofile.config.ConfigProvider;

/** {@link Decoder} on the gpt module's KV cache: one batched decode call per step, buffers reused. */
final class KvDecoder implements Decoder {
    /**
     * From this size on a model decodes on two threads (each product split by columns): its steps are bound by
     * reading the weights from memory (measured on the 10.8M-parameter bench model: 8 sequences 1.44 ms a step
     * on two threads, 2.86 on one). Smaller models stay on one thread and leave the other core to the event loops
     * and the clients, which at their token rates need it more (the 0.83M baby model: 95 us a step on one).
     */
    static final long TWO_THREADS_FROM_PARAMETERS = 4_000_000;

    private final KvCacheDecoder cache;
    private final int slots;
    private final boolean batchPrefill;
    // KvCacheDecoder takes arrays whose length is the batch: keep one pair per batch size, so a step allocates nothing.
    private final int[][] slotsBySize, tokensBySize;
    private final float[][][] outBySize;

    KvDecoder(Gpt model, int slots) {
        this.cache = new KvCacheDecoder(model, slots, threadsFor(model));
        this.slots = slots;
        // Prompts that arrive together share one prefill pass when the weights, not the rows, set its cost (see
        // above); for a small model a pass costs about its rows, and one prompt at a time gets the first ones out
        // sooner.
        this.batchPrefill = model.parameterCount() >= TWO_THREADS_FROM_PARAMETERS;
        this.slotsBySize = new int[slots + 1][];
        this.tokensBySize = new int[slots + 1][];
        this.outBySize = new float[slots + 1][][];
        for (int n = 1; n <= slots; n++) {
            slotsBySize[n] = new int[n];
            tokensBySize[n] = new int[n];
            outBySize[n] = new float[n][];
        }
    }

    /** {@code chat.decode-threads} when set above 0, else one or two by the model's size (see above). */
    static int threadsFor(Gpt model) {
        int configured = ConfigProvider.getConfig()
                .getOptionalValue("chat.decode-threads", Integer.class)
                .orElse(0);
        if (configured > 0) return configured;
        return model.parameterCount() >= TWO_THREADS_FROM_PARAMETERS
                ? Math.min(2, Runtime.getRuntime().availableProcessors())
                : 1;
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
    public float[][] prefill(int[] slotIds, int[][] prompts) {
        for (int slot : slotIds) cache.reset(slot);
        return cache.prefill(slotIds, prompts, null);
    }

    @Override
    public int maxPrefillTokens() {
        return batchPrefill ? cache.maxPrefillRows() : 0;
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
