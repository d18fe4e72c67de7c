package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay applied to 2-D tensors only (matrices and,
 * as in nanoGPT, the wte/wpe embeddings); biases and LayerNorm parameters are not decayed. The moment
 * buffers live off-heap next to the parameters.
 */
public final class AdamW {

    /** Hyper-parameters; nanoGPT's defaults are {@code (0.9, 0.95, 1e-8, 0.1)}. */
    public record Settings(float beta1, float beta2, float eps, float weightDecay) {
        public Settings {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0) || weightDecay < 0) {
                throw new IllegalArgumentException(
                        "need eps > 0 and weightDecay >= 0, got " + eps + ", " + weightDecay);
            }
        }

        public static Settings nanoGpt() {
            return new Settings(0.9f, 0.95f, 1e-8f, 0.1f);
        }
    }

    private final Gpt model;
    private final Settings s;
    final NativeBuffer m, v;
    private long step;
    private final int[] offsets, counts;
    private final boolean[] decayed;

    public AdamW(Gpt model, Settings settings) {
        this.model = model;
        this.s = settings;
        var table = model.parameterTable();
        offsets = new int[table.size()];
        counts = new int[table.size()];
        decayed = new boolean[table.size()];
        for (int i = 0; i < table.size(); i++) {
            offsets[i] = (int) table.get(i).offset();
            counts[i] = (int) table.get(i).count();
            decayed[i] = table.get(i).decayed();
        }
        this.m = new NativeBuffer(model.parameterCount());
        this.v = new NativeBuffer(model.parameterCount());
    }

    public Settings settings() {
        return s;
    }

    /** Updates taken so far (bias correction uses it). */
    public long step() {
        return step;
    }

    /**
     * One update with learning rate {@code lr}; gradients are multiplied by {@code gradScale} first
     * (the clipping factor).
     */
    public void update(float lr, float gradScale) {
        long tp = Profiler.start();
        step++;
        float bc1 = (float) (1.0 - Math.pow(s.beta1(), step));
        float bc2 = (float) (1.0 - Math.pow(s.beta2(), step));
        for (int i = 0; i < offsets.length; i++) {
            update(offsets[i], counts[i], lr, decayed[i] ? s.weightDecay() : 0f, gradScale, bc1, bc2);
        }
        Profiler.stop(Profiler.ADAMW, tp);
    }

    private void update(int off, int n, float lr, float wd, float gs, float bc1, float bc2) {
        ByteBuffer p = model.params.bb, g = model.grads.bb, mb = m.bb, vb = v.bb;
        float b1 = s.beta1(), b2 = s.beta2(), eps = s.eps(), a1 = 1f - b1, a2 = 1f - b2;
        float decay = 1f - lr * wd, step = lr / bc1, rbc2 = 1f / bc2;
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            int k = off + i;
            FloatVector gv = Kernels.load(g, k).mul(gs);
            FloatVector mv = Kernels.load(mb, k).mul(b1).add(gv.mul(a1));
            FloatVector vv = Kernels.load(vb, k).mul(b2).add(gv.mul(gv).mul(a2));
            Kernels.store(mv, mb, k);
            Kernels.store(vv, vb, k);
            FloatVector denom = vv.mul(rbc2).lanewise(VectorOperators.SQRT).add(eps);
            Kernels.store(Kernels.load(p, k).mul(decay).sub(mv.div(denom).mul(step)), p, k);
        }
        for (; i < n; i++) {
            int k = off + i;
            float gv = Kernels.get(g, k) * gs;
            float mv = b1 * Kernels.get(mb, k) + a1 * gv;
            float vv = b2 * Kernels.get(vb, k) + a2 * gv * gv;
            Kernels.put(mb, k, mv);
            Kernels.put(vb, k, vv);
            float denom = (float) Math.sqrt(vv * rbc2) + eps;
            Kernels.put(p, k, Kernels.get(p, k) * decay - step * mv / denom);
        }
    }

    float[] copyM() {
        float[] a = new float[(int) m.length];
        m.copyTo(0, a, 0, a.length);
        return a;
    }

    float[] copyV() {
        float[] a = new float[(int) v.length];
        v.copyTo(0, a, 0, a.length);
        return a;
    }

    void restore(float[] mState, float[] vState, long stepCount) {
        if (mState.length != m.length || vState.length != v.length) {
            throw new IllegalArgumentException(
                    "optimizer state has " + mState.length + "/" + vState.length + " entries, the model " + m.length);
        }
        m.copyFrom(0, mState, 0, mState.length);
        v.copyFrom(0, vState, 0, vState.length);
        this.step = stepCount;
    }
}
