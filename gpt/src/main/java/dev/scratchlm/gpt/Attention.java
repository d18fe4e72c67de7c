package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal multi-head self-attention over a packed qkv activation (B, T, 3C). Each (batch, head) pair is
 * two raw sgemm calls on strided pointers into qkv: no permute copies (a loop of raw sgemm on pointer
 * offsets measured 65-108 us for 48 heads, a loop of Nd4j.gemm on views 700+ us).
 */
final class Attention {
    private Attention() {}

    /**
     * att (B, NH, T, T) gets the causal softmax probabilities, atty (B, T, C) the heads' outputs,
     * concatenated per position.
     */
    static void forward(
            NativeBuffer atty,
            int yOff,
            NativeBuffer att,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int b,
            int t,
            int c,
            int nh) {
        forward(atty, yOff, att, null, attOff, qkv, qkvOff, b, t, c, nh, 0f, null);
    }

    /**
     * With dropout on the probabilities: attD (same layout as att) gets P * mask / (1 - p) and is what
     * multiplies V; att keeps P for the softmax backward. attD null or p == 0 means no dropout.
     */
    static void forward(
            NativeBuffer atty,
            int yOff,
            NativeBuffer att,
            NativeBuffer attD,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int b,
            int t,
            int c,
            int nh,
            float p,
            Rng rng) {
        forwardPacked(atty, yOff, att, attD, attOff, qkv, qkvOff, null, 0, b, t, c, nh, p, rng);
    }

    /**
     * Packed rows: pos (B, T) is each token's position inside its own example (0 where one starts), so row i
     * attends to columns i - pos[i] .. i only: a block-diagonal causal mask, no attention across examples.
     * pos null is the plain causal mask. The scores are still one (T, T) product per head (the masked part is
     * zeroed by the softmax), so a packed batch costs what a pre-training batch of the same shape costs.
     */
    static void forwardPacked(
            NativeBuffer atty,
            int yOff,
            NativeBuffer att,
            NativeBuffer attD,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int[] pos,
            int posOff,
            int b,
            int t,
            int c,
            int nh,
            float p,
            Rng rng) {
        long t0 = Profiler.start();
        boolean drop = attD != null && p > 0f;
        float keepScale = drop ? 1f / (1f - p) : 1f;
        int hs = c / nh, c3 = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nh; h++) {
                int q = qkvOff + bi * t * c3 + h * hs;
                int a = attOff + (bi * nh + h) * t * t;
                Blas.gemm(false, true, t, t, hs, scale, qkv.at(0, q), c3, qkv.at(1, q + c), c3, 0f, att.at(2, a), t);
                causalSoftmax(att.bb, a, t, pos, pos == null ? 0 : posOff + bi * t);
                NativeBuffer pv = att;
                if (drop) {
                    for (int i = 0; i < t * t; i++) {
                        attD.set(a + i, rng.nextFloat() < p ? 0f : att.get(a + i) * keepScale);
                    }
                    pv = attD;
                }
                Blas.gemm(
                        false,
                        false,
                        t,
                        hs,
                        t,
                        1f,
                        pv.at(3, a),
                        t,
                        qkv.at(4, q + 2 * c),
                        c3,
                        0f,
                        atty.at(5, yOff + bi * t * c + h * hs),
                        c);
            }
        }
        Profiler.stop(Profiler.ATTENTION, t0);
    }

    /**
     * dqkv (B, T, 3C) is overwritten with the gradient for q, k and v; dP (T, T) is scratch.
     */
    static void backward(
            NativeBuffer dqkv,
            int dqkvOff,
            NativeBuffer dy,
            int dyOff,
            NativeBuffer dP,
            NativeBuffer att,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int b,
            int t,
            int c,
            int nh) {
        backward(dqkv, dqkvOff, dy, dyOff, dP, att, null, attOff, qkv, qkvOff, b, t, c, nh, 0f);
    }

    /** Backward matching the dropout forward: attD (P after dropout) feeds dV, its zeros mask dP. */
    static void backward(
            NativeBuffer dqkv,
            int dqkvOff,
            NativeBuffer dy,
            int dyOff,
            NativeBuffer dP,
            NativeBuffer att,
            NativeBuffer attD,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int b,
            int t,
            int c,
            int nh,
            float p) {
        backwardPacked(dqkv, dqkvOff, dy, dyOff, dP, att, attD, attOff, qkv, qkvOff, null, 0, b, t, c, nh, p);
    }

    /** Backward of {@link #forwardPacked}: the same per-row column ranges. */
    static void backwardPacked(
            NativeBuffer dqkv,
            int dqkvOff,
            NativeBuffer dy,
            int dyOff,
            NativeBuffer dP,
            NativeBuffer att,
            NativeBuffer attD,
            int attOff,
            NativeBuffer qkv,
            int qkvOff,
            int[] pos,
            int posOff,
            int b,
            int t,
            int c,
            int nh,
            float p) {
        boolean drop = attD != null && p > 0f;
        float keepScale = drop ? 1f / (1f - p) : 1f;
        NativeBuffer pv = drop ? attD : att;
        long t0 = Profiler.start();
        int hs = c / nh, c3 = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nh; h++) {
                int q = qkvOff + bi * t * c3 + h * hs;
                int dq = dqkvOff + bi * t * c3 + h * hs;
                int a = attOff + (bi * nh + h) * t * t;
                int y = dyOff + bi * t * c + h * hs;
                // y = P V  =>  dP = dy V^T, dV = P^T dy
                Blas.gemm(false, true, t, t, hs, 1f, dy.at(0, y), c, qkv.at(1, q + 2 * c), c3, 0f, dP.at(2, 0), t);
                Blas.gemm(true, false, t, hs, t, 1f, pv.at(3, a), t, dy.at(4, y), c, 0f, dqkv.at(5, dq + 2 * c), c3);
                if (drop) {
                    for (int i = 0; i < t * t; i++) {
                        dP.set(i, attD.get(a + i) == 0f ? 0f : dP.get(i) * keepScale);
                    }
                }
                causalSoftmaxBackward(dP.bb, 0, att.bb, a, t, pos, pos == null ? 0 : posOff + bi * t);
                // S = scale Q K^T  =>  dQ = scale dS K, dK = scale dS^T Q
                Blas.gemm(false, false, t, hs, t, scale, dP.at(0, 0), t, qkv.at(1, q + c), c3, 0f, dqkv.at(2, dq), c3);
                Blas.gemm(true, false, t, hs, t, scale, dP.at(3, 0), t, qkv.at(4, q), c3, 0f, dqkv.at(5, dq + c), c3);
            }
        }
        Profiler.stop(Profiler.ATTENTION, t0);
    }

    /** Row i keeps columns 0..i (softmax over them) and zeroes the future. */
    static void causalSoftmax(ByteBuffer s, int off, int t) {
        causalSoftmax(s, off, t, null, 0);
    }

    /**
     * Row i keeps columns lo..i with lo = i - pos[posOff + i] (0 without pos), softmax over them, and zeroes
     * the rest: the earlier examples of a packed row and the future.
     */
    static void causalSoftmax(ByteBuffer s, int off, int t, int[] pos, int posOff) {
        for (int i = 0; i < t; i++) {
            int lo = pos == null ? 0 : i - pos[posOff + i];
            if (lo > 0) Kernels.fill(s, off + i * t, lo, 0f);
            int row = off + i * t + lo, n = i + 1 - lo;
            float max = Float.NEGATIVE_INFINITY;
            int j = 0, bound = Kernels.S.loopBound(n);
            if (bound > 0) {
                FloatVector mx = FloatVector.broadcast(Kernels.S, Float.NEGATIVE_INFINITY);
                for (; j < bound; j += Kernels.L) mx = mx.max(Kernels.load(s, row + j));
                max = mx.reduceLanes(VectorOperators.MAX);
            }
            for (; j < n; j++) max = Math.max(max, Kernels.get(s, row + j));
            float sum = 0f;
            j = 0;
            if (bound > 0) {
                FloatVector acc = FloatVector.zero(Kernels.S);
                for (; j < bound; j += Kernels.L) {
                    FloatVector e = MathKernels.exp(Kernels.load(s, row + j).sub(max));
                    acc = acc.add(e);
                    Kernels.store(e, s, row + j);
                }
                sum = acc.reduceLanes(VectorOperators.ADD);
            }
            for (; j < n; j++) {
                float e = MathKernels.exp(Kernels.get(s, row + j) - max);
                sum += e;
                Kernels.put(s, row + j, e);
            }
            Kernels.scale(s, row, n, 1f / sum);
            Kernels.fill(s, row + n, t - n - lo, 0f);
        }
    }

    /** In place on dP: dS = P * (dP - rowsum(P * dP)), zero above the diagonal. */
    static void causalSoftmaxBackward(ByteBuffer d, int dOff, ByteBuffer p, int pOff, int t) {
        causalSoftmaxBackward(d, dOff, p, pOff, t, null, 0);
    }

    /** As above over each row's columns lo..i (see {@link #causalSoftmax(ByteBuffer, int, int, int[], int)}). */
    static void causalSoftmaxBackward(ByteBuffer d, int dOff, ByteBuffer p, int pOff, int t, int[] pos, int posOff) {
        for (int i = 0; i < t; i++) {
            int lo = pos == null ? 0 : i - pos[posOff + i];
            if (lo > 0) Kernels.fill(d, dOff + i * t, lo, 0f);
            int n = i + 1 - lo, dr = dOff + i * t + lo, pr = pOff + i * t + lo;
            float dot = Kernels.dot(p, pr, d, dr, n);
            int j = 0;
            for (int bound = Kernels.S.loopBound(n); j < bound; j += Kernels.L) {
                FloatVector pv = Kernels.load(p, pr + j);
                Kernels.store(pv.mul(Kernels.load(d, dr + j).sub(dot)), d, dr + j);
            }
            for (; j < n; j++) Kernels.put(d, dr + j, Kernels.get(p, pr + j) * (Kernels.get(d, dr + j) - dot));
            Kernels.fill(d, dr + n, t - n - lo, 0f);
        }
    }
}
