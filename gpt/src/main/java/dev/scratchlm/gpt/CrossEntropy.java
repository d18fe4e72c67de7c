package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax plus next-token cross-entropy, fused, with an optional per-position mask so supervised
 * fine-tuning can train on the answer tokens only (the loss is the mean over unmasked positions).
 */
final class CrossEntropy {
    private CrossEntropy() {}

    /** Row-wise softmax of logits into probs (probs may alias logits). */
    static void softmax(NativeBuffer probs, int pOff, NativeBuffer logits, int lOff, int rows, int v) {
        ByteBuffer x = logits.bb, p = probs.bb;
        int bound = Kernels.S.loopBound(v);
        for (int r = 0; r < rows; r++) {
            int xo = lOff + r * v, po = pOff + r * v;
            FloatVector mx = FloatVector.broadcast(Kernels.S, Float.NEGATIVE_INFINITY);
            int i = 0;
            for (; i < bound; i += Kernels.L) mx = mx.max(Kernels.load(x, xo + i));
            float max = mx.reduceLanes(VectorOperators.MAX);
            for (; i < v; i++) max = Math.max(max, Kernels.get(x, xo + i));
            FloatVector acc = FloatVector.zero(Kernels.S);
            i = 0;
            for (; i < bound; i += Kernels.L) {
                FloatVector e = MathKernels.exp(Kernels.load(x, xo + i).sub(max));
                acc = acc.add(e);
                Kernels.store(e, p, po + i);
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; i < v; i++) {
                float e = MathKernels.exp(Kernels.get(x, xo + i) - max);
                sum += e;
                Kernels.put(p, po + i, e);
            }
            Kernels.scale(p, po, v, 1f / sum);
        }
    }

    /**
     * Softmax into probs, then returns the sum over rows of mask[r] * -log p[target[r]]
     * (mask null means all ones). Divide by the mask sum for the mean.
     */
    static double forward(
            NativeBuffer probs,
            int pOff,
            NativeBuffer logits,
            int lOff,
            int[] targets,
            float[] mask,
            int tOff,
            int rows,
            int v) {
        long t0 = Profiler.start();
        softmax(probs, pOff, logits, lOff, rows, v);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            float m = mask == null ? 1f : mask[tOff + r];
            if (m == 0f) continue;
            int tgt = targets[tOff + r];
            Embedding.checkToken(tgt, v);
            // Floor the probability so an underflowed softmax gives a large finite loss, not infinity.
            sum += -m * Math.log(Math.max(probs.get(pOff + r * v + tgt), 1e-30f));
        }
        Profiler.stop(Profiler.SOFTMAX_CE, t0);
        return sum;
    }

    /** In place: probs becomes dlogits = (p - onehot(target)) * mask[r] * scale. */
    static void backward(
            NativeBuffer probs, int pOff, int[] targets, float[] mask, int tOff, int rows, int v, float scale) {
        long t0 = Profiler.start();
        for (int r = 0; r < rows; r++) {
            float m = (mask == null ? 1f : mask[tOff + r]) * scale;
            int po = pOff + r * v;
            if (m == 0f) {
                Kernels.fill(probs.bb, po, v, 0f);
                continue;
            }
            Kernels.scale(probs.bb, po, v, m);
            int tgt = targets[tOff + r];
            probs.set(po + tgt, probs.get(po + tgt) - m);
        }
        Profiler.stop(Profiler.SOFTMAX_CE, t0);
    }
}
