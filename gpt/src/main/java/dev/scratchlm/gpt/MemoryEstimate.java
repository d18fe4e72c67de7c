package dev.scratchlm.gpt;

/**
 * Bytes a model needs, computed from the same buffer sizes the model allocates, so a service can refuse
 * a config that will not fit before doing any work.
 */
public final class MemoryEstimate {
    /** JVM, ND4J's native runtime and OpenBLAS buffers, measured at about 300 MB RSS here. */
    public static final long RUNTIME_BYTES = 384L << 20;

    private MemoryEstimate() {}

    /**
     * Training: parameters, gradients (one buffer per data-parallel worker, {@link GptRuntime#threads()}),
     * AdamW m and v (off-heap), activations for (batchSize, blockSize), heap copies made when writing a
     * checkpoint (weights, m, v), plus {@link #RUNTIME_BYTES}.
     */
    public static long trainingBytes(GptConfig cfg, int batchSize) {
        long params = new ParamLayout(cfg).total;
        int workers = Math.min(GptRuntime.threads(), batchSize);
        long floats = (3 + workers) * params + 3 * params;
        for (long s : Activations.sizes(cfg, batchSize, cfg.blockSize())) floats += s;
        return floats * 4 + RUNTIME_BYTES;
    }

    /** Inference with a KV cache for {@code maxSequences} concurrent sequences (see {@link KvCacheDecoder}). */
    public static long inferenceBytes(GptConfig cfg, int maxSequences) {
        long params = new ParamLayout(cfg).total;
        // A Gpt for batch 1 (params + grads + activations) plus the cache and its row buffers.
        long floats = 2 * params;
        for (long s : Activations.sizes(cfg, 1, cfg.blockSize())) floats += s;
        floats += KvCacheDecoder.bufferFloats(cfg, maxSequences);
        return floats * 4 + RUNTIME_BYTES;
    }
}
