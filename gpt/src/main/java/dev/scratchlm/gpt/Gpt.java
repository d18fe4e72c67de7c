package dev.scratchlm.gpt;

import java.util.List;

/**
 * A GPT-2-style decoder with explicit forward and backward passes over pre-allocated ND4J buffers
 * (llm.c's layout): all parameters in one contiguous buffer with per-tensor offsets, gradients in a
 * second buffer of the same layout, activations allocated once for (maxBatch, blockSize).
 *
 * <p>Architecture: token + learned position embeddings, pre-LayerNorm blocks of causal multi-head
 * self-attention and a 4x GELU(tanh) MLP, a final LayerNorm, and an LM head tied to the token
 * embedding. Linear layers and LayerNorms carry biases as in GPT-2; the LM head has none.
 *
 * <p>Not thread-safe: one thread drives a model. Training and inference share the weights; see
 * {@link KvCacheDecoder} for incremental decoding.
 */
public final class Gpt {
    private final GptConfig cfg;
    private final ParamLayout layout;
    final NativeBuffer params;
    final NativeBuffer grads;
    private final Activations acts;
    private final Rng dropoutRng = new Rng(0);
    private boolean training = true;

    // Shape and inputs of the last forward, kept for backward.
    private int lastB, lastT;
    private int[] lastInputs, lastTargets;
    private float[] lastMask;
    private boolean lastHadTargets;

    /**
     * Allocates parameters, gradients and activations for batches of up to {@code maxBatch} sequences of
     * up to {@code config.blockSize()} tokens, and initializes the weights from {@code seed} as
     * GPT-2/nanoGPT do.
     */
    public Gpt(GptConfig config, int maxBatch, long seed) {
        if (maxBatch <= 0) throw new IllegalArgumentException("maxBatch must be > 0, got " + maxBatch);
        this.cfg = config;
        this.layout = new ParamLayout(config);
        this.params = new NativeBuffer(layout.total);
        this.grads = new NativeBuffer(layout.total);
        this.acts = new Activations(config, maxBatch, config.blockSize());
        this.lastInputs = new int[maxBatch * config.blockSize()];
        this.lastTargets = new int[maxBatch * config.blockSize()];
        this.lastMask = new float[maxBatch * config.blockSize()];
        initWeights(seed);
    }

    public GptConfig config() {
        return cfg;
    }

    public int maxBatch() {
        return acts.maxB;
    }

    /** Every parameter tensor in order, with nanoGPT names, shapes, counts and buffer offsets. */
    public List<TensorInfo> parameterTable() {
        return layout.tensors;
    }

    /** Parameter tensors of a config without allocating a model (for a model card). */
    public static List<TensorInfo> parameterTable(GptConfig config) {
        return new ParamLayout(config).tensors;
    }

    /** Total number of parameters (wte counted once: the LM head is tied to it). */
    public long parameterCount() {
        return layout.total;
    }

    /**
     * GPT-2/nanoGPT init: weights N(0, 0.02), residual projections (attn.c_proj, mlp.c_proj) N(0,
     * 0.02/sqrt(2 nLayer)), biases 0, LayerNorm weight 1 and bias 0.
     */
    public void initWeights(long seed) {
        Rng rng = new Rng(seed);
        double projStd = 0.02 / Math.sqrt(2.0 * cfg.nLayer());
        for (TensorInfo t : layout.tensors) {
            int off = (int) t.offset(), n = (int) t.count();
            boolean isLn = t.name().contains("ln_");
            if (isLn && t.name().endsWith(".weight")) {
                Kernels.fill(params.bb, off, n, 1f);
            } else if (t.name().endsWith(".bias")) {
                Kernels.fill(params.bb, off, n, 0f);
            } else {
                double std = t.name().endsWith("c_proj.weight") ? projStd : 0.02;
                for (int i = 0; i < n; i++) params.set(off + i, (float) (rng.nextGaussian() * std));
            }
        }
        grads.zero();
    }

    /** Training mode enables dropout (when the config has any); evaluation and inference turn it off. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean isTraining() {
        return training;
    }

    /** The generator behind dropout masks; its state belongs in a checkpoint for an exact resume. */
    public Rng dropoutRng() {
        return dropoutRng;
    }

    /**
     * Runs the model on {@code b} sequences of {@code t} tokens (row-major {@code inputs[b * t]}).
     * With {@code targets}, returns the mean next-token cross-entropy over positions whose mask is
     * non-zero ({@code mask} null means every position); without, returns NaN and only logits are
     * computed. Logits stay readable through {@link #logits(int, int, float[])} until the next call.
     */
    public float forward(int[] inputs, int[] targets, float[] mask, int b, int t) {
        int c = cfg.nEmbd(), nh = cfg.nHead(), v = cfg.vocabSize(), bt = b * t;
        if (b <= 0 || b > acts.maxB || t <= 0 || t > cfg.blockSize()) {
            throw new IllegalArgumentException("batch " + b + "x" + t + " outside the allocated "
                    + acts.maxB + "x" + cfg.blockSize());
        }
        checkLength("inputs", inputs, bt);
        if (targets != null) checkLength("targets", targets, bt);
        if (mask != null && mask.length < bt) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, needs " + bt);
        }
        boolean drop = training && cfg.dropout() > 0f;
        float p = cfg.dropout();
        int btc = bt * c, lStride = acts.maxB * acts.maxT * c, lRows = acts.maxB * acts.maxT;
        int attStride = acts.maxB * nh * acts.maxT * acts.maxT;

        Embedding.forward(acts.encoded, 0, params, layout.wte, params, layout.wpe, inputs, b, t, c, v);
        if (drop) dropout(acts.encoded, 0, acts.embMask, 0, btc, p);
        for (int l = 0; l < cfg.nLayer(); l++) {
            NativeBuffer resIn = l == 0 ? acts.encoded : acts.res3;
            int resOff = l == 0 ? 0 : (l - 1) * lStride;
            int lo = l * lStride, so = l * lRows;
            LayerNorm.forward(acts.ln1, lo, acts.ln1Mean, acts.ln1Rstd, so, resIn, resOff,
                    params, layout.ln1W[l], params, layout.ln1B[l], bt, c);
            Linear.forward(acts.qkv, 3 * lo, acts.ln1, lo, params, layout.qkvW[l], params, layout.qkvB[l], bt, c, 3 * c);
            Attention.forward(acts.atty, lo, acts.att, drop ? acts.attD : null, l * attStride, acts.qkv, 3 * lo,
                    b, t, c, nh, drop ? p : 0f, dropoutRng);
            Linear.forward(acts.branch, 0, acts.atty, lo, params, layout.attProjW[l], params, layout.attProjB[l], bt, c, c);
            if (drop) dropout(acts.branch, 0, acts.attnMask, lo, btc, p);
            Kernels.add(resIn.bb, resOff, acts.branch.bb, 0, acts.res2.bb, lo, btc);
            LayerNorm.forward(acts.ln2, lo, acts.ln2Mean, acts.ln2Rstd, so, acts.res2, lo,
                    params, layout.ln2W[l], params, layout.ln2B[l], bt, c);
            Linear.forward(acts.fch, 4 * lo, acts.ln2, lo, params, layout.fcW[l], params, layout.fcB[l], bt, c, 4 * c);
            Gelu.forward(acts.fchGelu, 4 * lo, acts.fch, 4 * lo, 4 * btc);
            Linear.forward(acts.branch, 0, acts.fchGelu, 4 * lo, params, layout.fcProjW[l], params, layout.fcProjB[l],
                    bt, 4 * c, c);
            if (drop) dropout(acts.branch, 0, acts.mlpMask, lo, btc, p);
            Kernels.add(acts.res2.bb, lo, acts.branch.bb, 0, acts.res3.bb, lo, btc);
        }
        int lastRes = (cfg.nLayer() - 1) * lStride;
        LayerNorm.forward(acts.lnf, 0, acts.lnfMean, acts.lnfRstd, 0, acts.res3, lastRes,
                params, layout.lnfW, params, layout.lnfB, bt, c);
        Linear.forward(acts.logits, 0, acts.lnf, 0, params, layout.wte, null, 0, bt, c, v);

        lastB = b;
        lastT = t;
        System.arraycopy(inputs, 0, lastInputs, 0, bt);
        lastHadTargets = targets != null;
        if (targets == null) return Float.NaN;
        System.arraycopy(targets, 0, lastTargets, 0, bt);
        float count = bt;
        if (mask != null) {
            System.arraycopy(mask, 0, lastMask, 0, bt);
            count = 0;
            for (int i = 0; i < bt; i++) count += mask[i];
        } else {
            java.util.Arrays.fill(lastMask, 0, bt, 1f);
        }
        double sum = CrossEntropy.forward(acts.probs, 0, acts.logits, 0, targets, mask, bt, v);
        lastCount = count;
        return count > 0 ? (float) (sum / count) : 0f;
    }

    private float lastCount;

    /**
     * Back-propagates the loss of the last {@link #forward} (which must have had targets) and ADDS the
     * parameter gradients, multiplied by {@code gradScale}, to {@link #grads} (use 1/accumulationSteps
     * for gradient accumulation; call {@link #zeroGrad()} at the start of each optimizer step).
     */
    public void backward(float gradScale) {
        if (!lastHadTargets) throw new IllegalStateException("backward needs a forward with targets");
        int b = lastB, t = lastT, c = cfg.nEmbd(), nh = cfg.nHead(), v = cfg.vocabSize(), bt = b * t;
        int btc = bt * c, lStride = acts.maxB * acts.maxT * c, lRows = acts.maxB * acts.maxT;
        int attStride = acts.maxB * nh * acts.maxT * acts.maxT;
        boolean drop = training && cfg.dropout() > 0f;
        float p = cfg.dropout();
        if (lastCount <= 0) return; // every position masked: nothing to learn from this batch

        // dlogits overwrite probs in place.
        CrossEntropy.backward(acts.probs, 0, lastTargets, lastMask, bt, v, gradScale / lastCount);
        // logits = lnf @ wte^T (tied head, no bias)
        Linear.backward(acts.dln, 0, false, grads, layout.wte, null, 0, acts.probs, 0, acts.lnf, 0,
                params, layout.wte, bt, c, v);
        Kernels.fill(acts.dres.bb, 0, btc, 0f);
        int lastRes = (cfg.nLayer() - 1) * lStride;
        LayerNorm.backward(acts.dres, 0, grads, layout.lnfW, grads, layout.lnfB, acts.dln, 0, acts.res3, lastRes,
                params, layout.lnfW, acts.lnfMean, acts.lnfRstd, 0, bt, c);

        for (int l = cfg.nLayer() - 1; l >= 0; l--) {
            NativeBuffer resIn = l == 0 ? acts.encoded : acts.res3;
            int resOff = l == 0 ? 0 : (l - 1) * lStride;
            int lo = l * lStride, so = l * lRows;
            // MLP branch: res3 = res2 + drop(c_proj(gelu(c_fc(ln_2(res2)))))
            NativeBuffer dBranch = acts.dres;
            if (drop) {
                mulInto(acts.dbranch, acts.dres, acts.mlpMask, lo, btc);
                dBranch = acts.dbranch;
            }
            Linear.backward(acts.dfch, 0, false, grads, layout.fcProjW[l], grads, layout.fcProjB[l], dBranch, 0,
                    acts.fchGelu, 4 * lo, params, layout.fcProjW[l], bt, 4 * c, c);
            Gelu.backward(acts.dfch, 0, acts.fch, 4 * lo, acts.dfch, 0, 4 * btc);
            Linear.backward(acts.dln, 0, false, grads, layout.fcW[l], grads, layout.fcB[l], acts.dfch, 0,
                    acts.ln2, lo, params, layout.fcW[l], bt, c, 4 * c);
            LayerNorm.backward(acts.dres, 0, grads, layout.ln2W[l], grads, layout.ln2B[l], acts.dln, 0, acts.res2, lo,
                    params, layout.ln2W[l], acts.ln2Mean, acts.ln2Rstd, so, bt, c);
            // Attention branch: res2 = res + drop(c_proj(attn(c_attn(ln_1(res)))))
            dBranch = acts.dres;
            if (drop) {
                mulInto(acts.dbranch, acts.dres, acts.attnMask, lo, btc);
                dBranch = acts.dbranch;
            }
            Linear.backward(acts.datty, 0, false, grads, layout.attProjW[l], grads, layout.attProjB[l], dBranch, 0,
                    acts.atty, lo, params, layout.attProjW[l], bt, c, c);
            Attention.backward(acts.dqkv, 0, acts.datty, 0, acts.dP, acts.att, drop ? acts.attD : null,
                    l * attStride, acts.qkv, 3 * lo, b, t, c, nh, drop ? p : 0f);
            Linear.backward(acts.dln, 0, false, grads, layout.qkvW[l], grads, layout.qkvB[l], acts.dqkv, 0,
                    acts.ln1, lo, params, layout.qkvW[l], bt, c, 3 * c);
            LayerNorm.backward(acts.dres, 0, grads, layout.ln1W[l], grads, layout.ln1B[l], acts.dln, 0, resIn, resOff,
                    params, layout.ln1W[l], acts.ln1Mean, acts.ln1Rstd, so, bt, c);
        }
        NativeBuffer dEmb = acts.dres;
        if (drop) {
            mulInto(acts.dbranch, acts.dres, acts.embMask, 0, btc);
            dEmb = acts.dbranch;
        }
        Embedding.backward(grads, layout.wte, grads, layout.wpe, dEmb, 0, lastInputs, b, t, c);
    }

    /** Zeroes the parameter gradients. */
    public void zeroGrad() {
        grads.zero();
    }

    /** Copies the logits at (sequence b, position t) of the last forward into {@code out} (allocated if null). */
    public float[] logits(int b, int t, float[] out) {
        if (b < 0 || b >= lastB || t < 0 || t >= lastT) {
            throw new IndexOutOfBoundsException("no logits at (" + b + ", " + t + ") for last batch " + lastB + "x" + lastT);
        }
        int v = cfg.vocabSize();
        if (out == null) out = new float[v];
        acts.logits.copyTo((long) (b * lastT + t) * v, out, 0, v);
        return out;
    }

    /** Copies all parameters, in {@link #parameterTable()} order, into a new array. */
    public float[] copyWeights() {
        float[] w = new float[layout.total];
        params.copyTo(0, w, 0, layout.total);
        return w;
    }

    /** Replaces all parameters (same order and length as {@link #copyWeights()}). */
    public void loadWeights(float[] weights) {
        if (weights.length != layout.total) {
            throw new IllegalArgumentException("expected " + layout.total + " weights for " + cfg + ", got " + weights.length);
        }
        params.copyFrom(0, weights, 0, layout.total);
    }

    /** Copies the accumulated gradients (same layout as the weights), for tests and diagnostics. */
    public float[] copyGradients() {
        float[] g = new float[layout.total];
        grads.copyTo(0, g, 0, layout.total);
        return g;
    }

    /** Global L2 norm of the accumulated gradients. */
    public double gradNorm() {
        return Math.sqrt(Kernels.sumSquares(grads.bb, 0, layout.total));
    }

    /**
     * Training FLOPs per token, nanoGPT's estimate (PaLM appendix B): 6 N + 12 L C T, with N the
     * parameters without wpe. Multiply by tokens/s and divide by peak FLOP/s for MFU.
     */
    public double flopsPerToken() {
        return flopsPerToken(cfg);
    }

    public static double flopsPerToken(GptConfig cfg) {
        double n = new ParamLayout(cfg).total - (double) cfg.blockSize() * cfg.nEmbd();
        return 6.0 * n + 12.0 * cfg.nLayer() * cfg.nEmbd() * cfg.blockSize();
    }

    /** Bytes a {@link Trainer} with this batch size needs: see {@link MemoryEstimate}. */
    public static long estimateTrainingBytes(GptConfig cfg, int batchSize) {
        return MemoryEstimate.trainingBytes(cfg, batchSize);
    }

    ParamLayout layout() {
        return layout;
    }

    Activations activations() {
        return acts;
    }

    int lastBatch() {
        return lastB;
    }

    int lastLength() {
        return lastT;
    }

    /** Fresh inverted-dropout mask (0 or 1/(1-p)) in mask[maskOff..], applied to x in place. */
    private void dropout(NativeBuffer x, int xOff, NativeBuffer mask, int maskOff, int n, float p) {
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            float m = dropoutRng.nextFloat() < p ? 0f : keep;
            mask.set(maskOff + i, m);
            x.set(xOff + i, x.get(xOff + i) * m);
        }
    }

    private static void mulInto(NativeBuffer out, NativeBuffer a, NativeBuffer mask, int maskOff, int n) {
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            Kernels.store(Kernels.load(a.bb, i).mul(Kernels.load(mask.bb, maskOff + i)), out.bb, i);
        }
        for (; i < n; i++) out.set(i, a.get(i) * mask.get(maskOff + i));
    }

    private static void checkLength(String what, int[] a, int needed) {
        if (a == null || a.length < needed) {
            throw new IllegalArgumentException(what + " has " + (a == null ? 0 : a.length) + " entries, needs " + needed);
        }
    }
}
