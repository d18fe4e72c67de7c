package dev.scratchlm.gpt;

import java.util.Arrays;
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
 * <p>Threads: a batch is split by sequence over {@link GptRuntime#threads()} workers (data parallel),
 * each with its own activations and gradient buffer and single-threaded OpenBLAS; their gradients are
 * summed in a fixed order, so results are deterministic for a given thread count. The model itself
 * must be driven from one thread. See {@link KvCacheDecoder} for incremental decoding.
 */
public final class Gpt {
    /** Stops a model's worker threads once the model is unreachable (its buffers go with the GC). */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    private final GptConfig cfg;
    private final ParamLayout layout;
    final NativeBuffer params;
    final NativeBuffer grads;
    private final Worker[] workers;
    private final WorkerPool pool;
    private final int maxBatch;
    private final Rng dropoutRng = new Rng(0);
    private boolean training = true;

    // The last forward: shape, inputs and the split over workers, kept for backward and logits().
    private int lastB, lastT, activeWorkers;
    private int[] lastInputs, lastTargets;
    private float[] lastMask;
    /** Per-token positions of a packed batch ({@link #forwardPacked}); null for plain rows. */
    private int[] lastPositions;

    private final int[] positionsBuf;
    private boolean lastHadTargets;
    private float lastCount, gradScaleArg;
    private final WorkerPool.Task forwardTask = this::forwardWorker, backwardTask = this::backwardWorker;
    // Reward mode (see rewards()): the scalar head replaces the LM head; one end position and gradient per sequence.
    private boolean rewardMode;
    private final int[] lastEnds;
    private final float[] lastRewards, lastDRewards;

    /** One worker's slice of the batch and its private buffers. */
    private static final class Worker {
        final Activations acts;
        final NativeBuffer params, grads;
        final Rng rng = new Rng(0);
        int seqStart, nSeq;
        double lossSum;

        Worker(Activations acts, NativeBuffer params, NativeBuffer grads) {
            this.acts = acts;
            this.params = params;
            this.grads = grads;
        }
    }

    /**
     * Allocates parameters, gradients and activations for batches of up to {@code maxBatch} sequences of
     * up to {@code config.blockSize()} tokens, and initializes the weights from {@code seed} as
     * GPT-2/nanoGPT do. Uses {@link GptRuntime#threads()} workers (at most one per sequence).
     */
    public Gpt(GptConfig config, int maxBatch, long seed) {
        this(config, maxBatch, seed, GptRuntime.threads());
    }

    /** As above with an explicit worker count (results are bit-identical only for the same count). */
    public Gpt(GptConfig config, int maxBatch, long seed, int threads) {
        if (maxBatch <= 0) throw new IllegalArgumentException("maxBatch must be > 0, got " + maxBatch);
        if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
        this.cfg = config;
        this.maxBatch = maxBatch;
        this.layout = new ParamLayout(config);
        this.params = new NativeBuffer(layout.total);
        this.grads = new NativeBuffer(layout.total);
        int n = Math.min(threads, maxBatch);
        this.workers = new Worker[n];
        int perWorker = (maxBatch + n - 1) / n;
        for (int w = 0; w < n; w++) {
            workers[w] = new Worker(
                    new Activations(config, perWorker, config.blockSize()),
                    w == 0 ? params : params.alias(),
                    w == 0 ? grads : new NativeBuffer(layout.total));
        }
        this.pool = new WorkerPool(n);
        WorkerPool p = pool;
        CLEANER.register(this, p::shutdown);
        int cap = maxBatch * config.blockSize();
        this.lastInputs = new int[cap];
        this.lastTargets = new int[cap];
        this.lastMask = new float[cap];
        this.positionsBuf = new int[cap];
        this.lastEnds = new int[maxBatch];
        this.lastRewards = new float[maxBatch];
        this.lastDRewards = new float[maxBatch];
        initWeights(seed);
    }

    public GptConfig config() {
        return cfg;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Data-parallel workers this model splits a batch over. */
    public int threads() {
        return workers.length;
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
        zeroGrad();
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
     * non-zero ({@code mask} null means every position; an all-zero mask gives loss 0 and no gradient);
     * without, returns NaN and only logits are computed. Logits stay readable through
     * {@link #logits(int, int, float[])} until the next call.
     */
    public float forward(int[] inputs, int[] targets, float[] mask, int b, int t) {
        lastPositions = null;
        rewardMode = false;
        return forwardRows(inputs, targets, mask, b, t);
    }

    /**
     * Several examples packed into each row: {@code positions[b * t]} is each token's position inside its own
     * example, 0 where an example starts and +1 per token after that. Attention is causal within an example and
     * never crosses into another one (a block-diagonal causal mask), and position embeddings restart at 0, so
     * every example is computed as if it ran alone. Otherwise as {@link #forward}; {@link #backward} follows it.
     */
    public float forwardPacked(int[] inputs, int[] targets, float[] mask, int[] positions, int b, int t) {
        if (b <= 0 || b > maxBatch || t <= 0 || t > cfg.blockSize())
            return forward(inputs, targets, mask, b, t); // refuses the shape
        checkPositions(positions, b, t);
        System.arraycopy(positions, 0, positionsBuf, 0, b * t);
        lastPositions = positionsBuf;
        rewardMode = false;
        return forwardRows(inputs, targets, mask, b, t);
    }

    /** Each row starts an example at 0; each later position is 0 (a new example) or the previous one + 1. */
    private static void checkPositions(int[] positions, int b, int t) {
        checkLength("positions", positions, b * t);
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int p = positions[bi * t + ti], prev = ti == 0 ? -1 : positions[bi * t + ti - 1];
                if (p != 0 && p != prev + 1) {
                    throw new IllegalArgumentException("positions of row " + bi + " at " + ti + ": " + p + " after "
                            + prev + " (an example starts at 0 and counts up by one)");
                }
            }
        }
    }

    private float forwardRows(int[] inputs, int[] targets, float[] mask, int b, int t) {
        int bt = b * t;
        if (b <= 0 || b > maxBatch || t <= 0 || t > cfg.blockSize()) {
            throw new IllegalArgumentException(
                    "batch " + b + "x" + t + " outside the allocated " + maxBatch + "x" + cfg.blockSize());
        }
        checkLength("inputs", inputs, bt);
        if (targets != null) checkLength("targets", targets, bt);
        if (mask != null && mask.length < bt) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, needs " + bt);
        }
        for (int i = 0; i < bt; i++) {
            Embedding.checkToken(inputs[i], cfg.vocabSize());
            if (targets != null) Embedding.checkToken(targets[i], cfg.vocabSize());
        }
        lastB = b;
        lastT = t;
        System.arraycopy(inputs, 0, lastInputs, 0, bt);
        lastHadTargets = targets != null;
        if (targets != null) {
            System.arraycopy(targets, 0, lastTargets, 0, bt);
            if (mask != null) System.arraycopy(mask, 0, lastMask, 0, bt);
            else Arrays.fill(lastMask, 0, bt, 1f);
        }
        // Sequences split as evenly as possible; dropout streams forked from the model's generator in order.
        activeWorkers = Math.min(workers.length, b);
        int per = b / activeWorkers, extra = b % activeWorkers, start = 0;
        for (int w = 0; w < workers.length; w++) {
            Worker wk = workers[w];
            wk.seqStart = start;
            wk.nSeq = w < activeWorkers ? per + (w < extra ? 1 : 0) : 0;
            start += wk.nSeq;
            wk.lossSum = 0;
            if (training && cfg.dropout() > 0f) wk.rng.setState(dropoutRng.nextLong());
        }
        pool.run(forwardTask);
        if (targets == null) return Float.NaN;
        double sum = 0;
        for (Worker wk : workers) sum += wk.lossSum;
        float count = 0;
        for (int i = 0; i < bt; i++) count += lastMask[i];
        lastCount = count;
        return count > 0 ? (float) (sum / count) : 0f;
    }

    /**
     * Back-propagates the loss of the last {@link #forward} (which must have had targets) and ADDS the
     * parameter gradients, multiplied by {@code gradScale}, to the model's gradients (use
     * 1/accumulationSteps for gradient accumulation; call {@link #zeroGrad()} before each optimizer step).
     */
    public void backward(float gradScale) {
        if (!lastHadTargets) throw new IllegalStateException("backward needs a forward with targets");
        if (lastCount <= 0) return; // every position masked: nothing to learn from this batch
        gradScaleArg = gradScale / lastCount;
        runBackward();
    }

    /**
     * Summed log-probability of each sequence's completion: {@code out[s] = sum_j mask[s*t+j] * log p(targets[s*t+j])}
     * over the b sequences (the mask selects the answer tokens and the closing end token, as the chat template's loss
     * mask does). A forward pass like {@link #forward}, so {@link #backwardSequenceLogProbs} can follow. Returns out.
     */
    public float[] sequenceLogProbs(int[] inputs, int[] targets, float[] mask, int b, int t, float[] out) {
        if (mask == null) throw new IllegalArgumentException("sequenceLogProbs needs a mask of the completion tokens");
        if (out == null || out.length < b) out = new float[b];
        forward(inputs, targets, mask, b, t);
        int v = cfg.vocabSize();
        for (Worker wk : workers) {
            for (int s = 0; s < wk.nSeq; s++) {
                int seq = wk.seqStart + s;
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    float m = lastMask[seq * t + j];
                    if (m == 0f) continue;
                    // Same floor as the cross-entropy: an underflowed probability gives a large finite value.
                    // StrictMath:
                    // the same bits before and after the JIT compiles this (a resumed job repeats the same numbers).
                    float p = wk.acts.probs.get((long) (s * t + j) * v + lastTargets[seq * t + j]);
                    sum += m * StrictMath.log(Math.max(p, 1e-30f));
                }
                out[seq] = (float) sum;
            }
        }
        return out;
    }

    /**
     * After {@link #sequenceLogProbs}: ADDS to the gradients gradScale * sum_s dLogProb[s] * d logprob[s] / d params,
     * i.e. back-propagates a loss whose derivative with respect to each sequence's summed log-probability is
     * {@code dLogProb[s]} (DPO's per-pair weights).
     */
    public void backwardSequenceLogProbs(float[] dLogProb, float gradScale) {
        if (!lastHadTargets || rewardMode)
            throw new IllegalStateException("backwardSequenceLogProbs needs sequenceLogProbs first");
        int t = lastT;
        // log p = -cross-entropy: each position's cross-entropy gradient is weighted by -dLogProb of its sequence.
        for (int s = 0; s < lastB; s++) {
            float g = -dLogProb[s];
            for (int j = 0; j < t; j++) lastMask[s * t + j] *= g;
        }
        gradScaleArg = gradScale;
        runBackward();
    }

    /**
     * A reward model's scores (the config needs {@link GptConfig#rewardHead()}): the b sequences of t tokens run
     * through the transformer and the final LayerNorm, and {@code out[s]} is the scalar head on position
     * {@code ends[s]} (the answer's closing end token). No logits are computed. Returns out.
     */
    public float[] rewards(int[] inputs, int[] ends, int b, int t, float[] out) {
        if (!cfg.rewardHead()) throw new IllegalStateException("this model has no reward head: " + cfg);
        if (ends == null || ends.length < b)
            throw new IllegalArgumentException("rewards need one end position per sequence");
        for (int s = 0; s < b; s++) {
            if (ends[s] < 0 || ends[s] >= t)
                throw new IllegalArgumentException(
                        "end position " + ends[s] + " of sequence " + s + " outside 0.." + (t - 1));
        }
        if (out == null || out.length < b) out = new float[b];
        rewardMode = true;
        lastPositions = null;
        System.arraycopy(ends, 0, lastEnds, 0, b);
        forwardRows(inputs, null, null, b, t);
        System.arraycopy(lastRewards, 0, out, 0, b);
        return out;
    }

    /** After {@link #rewards}: ADDS gradScale * sum_s dRewards[s] * d reward[s] / d params to the gradients. */
    public void backwardRewards(float[] dRewards, float gradScale) {
        if (!rewardMode) throw new IllegalStateException("backwardRewards needs rewards first");
        for (int s = 0; s < lastB; s++) lastDRewards[s] = dRewards[s] * gradScale;
        runBackward();
    }

    /** Runs every worker's backward, then sums their gradients into the model's. */
    private void runBackward() {
        pool.run(backwardTask);
        // Sum the other workers' gradients into the model's, in a fixed order, and clear them.
        for (int w = 1; w < activeWorkers; w++) {
            NativeBuffer g = workers[w].grads;
            Kernels.addInto(g.bb, 0, grads.bb, 0, layout.total);
            g.zero();
        }
    }

    private void forwardWorker(int w) {
        Worker wk = workers[w];
        if (wk.nSeq == 0) return;
        int b = wk.nSeq, t = lastT, c = cfg.nEmbd(), nh = cfg.nHead(), v = cfg.vocabSize(), bt = b * t;
        int tokOff = wk.seqStart * t;
        Activations acts = wk.acts;
        NativeBuffer params = wk.params;
        boolean drop = training && cfg.dropout() > 0f;
        float p = cfg.dropout();
        int btc = bt * c, lStride = acts.maxB * acts.maxT * c, lRows = acts.maxB * acts.maxT;
        int attStride = acts.maxB * nh * acts.maxT * acts.maxT;

        int[] pos = lastPositions;
        if (pos == null)
            Embedding.forward(acts.encoded, 0, params, layout.wte, params, layout.wpe, lastInputs, tokOff, b, t, c, v);
        else
            Embedding.forwardPacked(
                    acts.encoded, 0, params, layout.wte, params, layout.wpe, lastInputs, pos, tokOff, b, t, c, v);
        if (drop) dropout(wk.rng, acts.encoded, 0, acts.embMask, 0, btc, p);
        for (int l = 0; l < cfg.nLayer(); l++) {
            NativeBuffer resIn = l == 0 ? acts.encoded : acts.res3;
            int resOff = l == 0 ? 0 : (l - 1) * lStride;
            int lo = l * lStride, so = l * lRows;
            // Attention branch: res2 = res + drop(c_proj(attn(c_attn(ln_1(res)))))
            LayerNorm.forward(
                    acts.ln1,
                    lo,
                    acts.ln1Mean,
                    acts.ln1Rstd,
                    so,
                    resIn,
                    resOff,
                    params,
                    layout.ln1W[l],
                    params,
                    layout.ln1B[l],
                    bt,
                    c);
            Linear.forward(
                    acts.qkv, 3 * lo, acts.ln1, lo, params, layout.qkvW[l], params, layout.qkvB[l], bt, c, 3 * c);
            Attention.forwardPacked(
                    acts.atty,
                    lo,
                    acts.att,
                    drop ? acts.attD : null,
                    l * attStride,
                    acts.qkv,
                    3 * lo,
                    pos,
                    tokOff,
                    b,
                    t,
                    c,
                    nh,
                    drop ? p : 0f,
                    wk.rng);
            Linear.forward(
                    acts.branch, 0, acts.atty, lo, params, layout.attProjW[l], params, layout.attProjB[l], bt, c, c);
            if (drop) dropout(wk.rng, acts.branch, 0, acts.attnMask, lo, btc, p);
            residual(resIn, resOff, acts.branch, acts.res2, lo, btc);
            // MLP branch: res3 = res2 + drop(c_proj(gelu(c_fc(ln_2(res2)))))
            LayerNorm.forward(
                    acts.ln2,
                    lo,
                    acts.ln2Mean,
                    acts.ln2Rstd,
                    so,
                    acts.res2,
                    lo,
                    params,
                    layout.ln2W[l],
                    params,
                    layout.ln2B[l],
                    bt,
                    c);
            Linear.forward(acts.fch, 4 * lo, acts.ln2, lo, params, layout.fcW[l], params, layout.fcB[l], bt, c, 4 * c);
            Gelu.forward(acts.fchGelu, 4 * lo, acts.fch, 4 * lo, 4 * btc);
            Linear.forward(
                    acts.branch,
                    0,
                    acts.fchGelu,
                    4 * lo,
                    params,
                    layout.fcProjW[l],
                    params,
                    layout.fcProjB[l],
                    bt,
                    4 * c,
                    c);
            if (drop) dropout(wk.rng, acts.branch, 0, acts.mlpMask, lo, btc, p);
            residual(acts.res2, lo, acts.branch, acts.res3, lo, btc);
        }
        int lastRes = (cfg.nLayer() - 1) * lStride;
        LayerNorm.forward(
                acts.lnf,
                0,
                acts.lnfMean,
                acts.lnfRstd,
                0,
                acts.res3,
                lastRes,
                params,
                layout.lnfW,
                params,
                layout.lnfB,
                bt,
                c);
        if (rewardMode) {
            RewardHead.forward(
                    lastRewards,
                    wk.seqStart,
                    acts.lnf,
                    0,
                    lastEnds,
                    wk.seqStart,
                    params,
                    layout.headW,
                    params,
                    layout.headB,
                    b,
                    t,
                    c);
            return;
        }
        Linear.forward(acts.logits, 0, acts.lnf, 0, params, layout.wte, null, 0, bt, c, v);
        if (lastHadTargets) {
            wk.lossSum = CrossEntropy.forward(acts.probs, 0, acts.logits, 0, lastTargets, lastMask, tokOff, bt, v);
        }
    }

    private void backwardWorker(int w) {
        Worker wk = workers[w];
        if (wk.nSeq == 0) return;
        int b = wk.nSeq, t = lastT, c = cfg.nEmbd(), nh = cfg.nHead(), v = cfg.vocabSize(), bt = b * t;
        int tokOff = wk.seqStart * t;
        Activations acts = wk.acts;
        NativeBuffer params = wk.params, grads = wk.grads;
        int btc = bt * c, lStride = acts.maxB * acts.maxT * c, lRows = acts.maxB * acts.maxT;
        int attStride = acts.maxB * nh * acts.maxT * acts.maxT;
        boolean drop = training && cfg.dropout() > 0f;
        float p = cfg.dropout();
        Profiler.backwardPhase(true);

        if (rewardMode) {
            RewardHead.backward(
                    acts.dln,
                    0,
                    grads,
                    layout.headW,
                    grads,
                    layout.headB,
                    lastDRewards,
                    wk.seqStart,
                    acts.lnf,
                    0,
                    lastEnds,
                    wk.seqStart,
                    params,
                    layout.headW,
                    b,
                    t,
                    c);
        } else {
            // dlogits overwrite probs in place; logits = lnf @ wte^T (tied head, no bias).
            CrossEntropy.backward(acts.probs, 0, lastTargets, lastMask, tokOff, bt, v, gradScaleArg);
            Linear.backward(
                    acts.dln, 0, grads, layout.wte, null, 0, acts.probs, 0, acts.lnf, 0, params, layout.wte, bt, c, v);
        }
        Kernels.fill(acts.dres.bb, 0, btc, 0f);
        int lastRes = (cfg.nLayer() - 1) * lStride;
        LayerNorm.backward(
                acts.dres,
                0,
                grads,
                layout.lnfW,
                grads,
                layout.lnfB,
                acts.dln,
                0,
                acts.res3,
                lastRes,
                params,
                layout.lnfW,
                acts.lnfMean,
                acts.lnfRstd,
                0,
                bt,
                c);

        // dres is the residual stream's gradient: it flows through each skip connection unchanged,
        // and each branch adds its part back through the LayerNorm backward.
        for (int l = cfg.nLayer() - 1; l >= 0; l--) {
            NativeBuffer resIn = l == 0 ? acts.encoded : acts.res3;
            int resOff = l == 0 ? 0 : (l - 1) * lStride;
            int lo = l * lStride, so = l * lRows;
            NativeBuffer dBranch = drop ? mulInto(acts.dbranch, acts.dres, acts.mlpMask, lo, btc) : acts.dres;
            Linear.backward(
                    acts.dfch,
                    0,
                    grads,
                    layout.fcProjW[l],
                    grads,
                    layout.fcProjB[l],
                    dBranch,
                    0,
                    acts.fchGelu,
                    4 * lo,
                    params,
                    layout.fcProjW[l],
                    bt,
                    4 * c,
                    c);
            Gelu.backward(acts.dfch, 0, acts.fch, 4 * lo, acts.dfch, 0, 4 * btc);
            Linear.backward(
                    acts.dln,
                    0,
                    grads,
                    layout.fcW[l],
                    grads,
                    layout.fcB[l],
                    acts.dfch,
                    0,
                    acts.ln2,
                    lo,
                    params,
                    layout.fcW[l],
                    bt,
                    c,
                    4 * c);
            LayerNorm.backward(
                    acts.dres,
                    0,
                    grads,
                    layout.ln2W[l],
                    grads,
                    layout.ln2B[l],
                    acts.dln,
                    0,
                    acts.res2,
                    lo,
                    params,
                    layout.ln2W[l],
                    acts.ln2Mean,
                    acts.ln2Rstd,
                    so,
                    bt,
                    c);

            dBranch = drop ? mulInto(acts.dbranch, acts.dres, acts.attnMask, lo, btc) : acts.dres;
            Linear.backward(
                    acts.datty,
                    0,
                    grads,
                    layout.attProjW[l],
                    grads,
                    layout.attProjB[l],
                    dBranch,
                    0,
                    acts.atty,
                    lo,
                    params,
                    layout.attProjW[l],
                    bt,
                    c,
                    c);
            Attention.backwardPacked(
                    acts.dqkv,
                    0,
                    acts.datty,
                    0,
                    acts.dP,
                    acts.att,
                    drop ? acts.attD : null,
                    l * attStride,
                    acts.qkv,
                    3 * lo,
                    lastPositions,
                    tokOff,
                    b,
                    t,
                    c,
                    nh,
                    drop ? p : 0f);
            Linear.backward(
                    acts.dln,
                    0,
                    grads,
                    layout.qkvW[l],
                    grads,
                    layout.qkvB[l],
                    acts.dqkv,
                    0,
                    acts.ln1,
                    lo,
                    params,
                    layout.qkvW[l],
                    bt,
                    c,
                    3 * c);
            LayerNorm.backward(
                    acts.dres,
                    0,
                    grads,
                    layout.ln1W[l],
                    grads,
                    layout.ln1B[l],
                    acts.dln,
                    0,
                    resIn,
                    resOff,
                    params,
                    layout.ln1W[l],
                    acts.ln1Mean,
                    acts.ln1Rstd,
                    so,
                    bt,
                    c);
        }
        NativeBuffer dEmb = drop ? mulInto(acts.dbranch, acts.dres, acts.embMask, 0, btc) : acts.dres;
        if (lastPositions == null)
            Embedding.backward(grads, layout.wte, grads, layout.wpe, dEmb, 0, lastInputs, tokOff, b, t, c);
        else
            Embedding.backwardPacked(
                    grads, layout.wte, grads, layout.wpe, dEmb, 0, lastInputs, lastPositions, tokOff, b, t, c);
        Profiler.backwardPhase(false);
    }

    /** Zeroes the parameter gradients. */
    public void zeroGrad() {
        long t0 = Profiler.start();
        for (Worker wk : workers) wk.grads.zero();
        Profiler.stop(Profiler.ZERO_GRAD, t0);
    }

    /** Copies the logits at (sequence b, position t) of the last forward into {@code out} (allocated if null). */
    public float[] logits(int b, int t, float[] out) {
        if (b < 0 || b >= lastB || t < 0 || t >= lastT) {
            throw new IndexOutOfBoundsException(
                    "no logits at (" + b + ", " + t + ") for last batch " + lastB + "x" + lastT);
        }
        int v = cfg.vocabSize();
        if (out == null) out = new float[v];
        for (Worker wk : workers) {
            if (b >= wk.seqStart && b < wk.seqStart + wk.nSeq) {
                wk.acts.logits.copyTo((long) ((b - wk.seqStart) * lastT + t) * v, out, 0, v);
                return out;
            }
        }
        throw new IllegalStateException("sequence " + b + " not found in any worker");
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
            throw new IllegalArgumentException(
                    "expected " + layout.total + " weights for " + cfg + ", got " + weights.length);
        }
        params.copyFrom(0, weights, 0, layout.total);
    }

    /**
     * A reward model initialised from a language model: {@code lmWeights} (a language model's {@link #copyWeights()}
     * of the same transformer) replace every tensor but the reward head, which keeps its initialisation.
     */
    public void loadTransformerWeights(float[] lmWeights) {
        int n = layout.headW >= 0 ? layout.headW : layout.total;
        if (lmWeights.length != n) {
            throw new IllegalArgumentException(
                    "expected " + n + " language-model weights for " + cfg + ", got " + lmWeights.length);
        }
        params.copyFrom(0, lmWeights, 0, n);
    }

    /** Copies the accumulated gradients (same layout as the weights), for tests and diagnostics. */
    public float[] copyGradients() {
        float[] g = new float[layout.total];
        grads.copyTo(0, g, 0, layout.total);
        return g;
    }

    /** Global L2 norm of the accumulated gradients. */
    public double gradNorm() {
        long t0 = Profiler.start();
        double n = Math.sqrt(Kernels.sumSquares(grads.bb, 0, layout.total));
        Profiler.stop(Profiler.GRADNORM, t0);
        return n;
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

    /** Fresh inverted-dropout mask (0 or 1/(1-p)) in mask[maskOff..], applied to x in place. */
    private static void dropout(Rng rng, NativeBuffer x, int xOff, NativeBuffer mask, int maskOff, int n, float p) {
        long t0 = Profiler.start();
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            float m = rng.nextFloat() < p ? 0f : keep;
            mask.set(maskOff + i, m);
            x.set(xOff + i, x.get(xOff + i) * m);
        }
        Profiler.stop(Profiler.DROPOUT, t0);
    }

    /** out = in + branch: the residual connection around a block's branch. */
    private static void residual(NativeBuffer in, int inOff, NativeBuffer branch, NativeBuffer out, int outOff, int n) {
        long t0 = Profiler.start();
        Kernels.add(in.bb, inOff, branch.bb, 0, out.bb, outOff, n);
        Profiler.stop(Profiler.RESIDUAL, t0);
    }

    /** out = a * mask[maskOff..] (a branch's gradient through its dropout mask); returns out. */
    private static NativeBuffer mulInto(NativeBuffer out, NativeBuffer a, NativeBuffer mask, int maskOff, int n) {
        long t0 = Profiler.start();
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            Kernels.store(Kernels.load(a.bb, i).mul(Kernels.load(mask.bb, maskOff + i)), out.bb, i);
        }
        for (; i < n; i++) out.set(i, a.get(i) * mask.get(maskOff + i));
        Profiler.stop(Profiler.DROPOUT, t0);
        return out;
    }

    private static void checkLength(String what, int[] a, int needed) {
        if (a == null || a.length < needed) {
            throw new IllegalArgumentException(
                    what + " has " + (a == null ? 0 : a.length) + " entries, needs " + needed);
        }
    }
}
