package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** LayerNorm over the last dimension (eps 1e-5 as in GPT-2), with the llm.c backward. */
final class LayerNorm {
    static final float EPS = 1e-5f;

    private LayerNorm() {}

    /** out = (x - mean) * rstd * w + b per row; mean/rstd are saved for backward unless null. */
    static void forward(
            NativeBuffer out,
            int outOff,
            NativeBuffer mean,
            NativeBuffer rstd,
            int statOff,
            NativeBuffer inp,
            int inpOff,
            NativeBuffer w,
            int wOff,
            NativeBuffer b,
            int bOff,
            int rows,
            int c) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, o = out.bb, wb = w.bb, bb = b.bb;
        int bound = Kernels.S.loopBound(c);
        for (int r = 0; r < rows; r++) {
            int xo = inpOff + r * c, oo = outOff + r * c;
            FloatVector acc = FloatVector.zero(Kernels.S);
            int i = 0;
            for (; i < bound; i += Kernels.L) acc = acc.add(Kernels.load(x, xo + i));
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; i < c; i++) sum += Kernels.get(x, xo + i);
            float m = sum / c;
            // Two-pass variance: numerically safer than E[x^2] - m^2 for activations with a large mean.
            acc = FloatVector.zero(Kernels.S);
            i = 0;
            for (; i < bound; i += Kernels.L) {
                FloatVector d = Kernels.load(x, xo + i).sub(m);
                acc = d.fma(d, acc);
            }
            float var = acc.reduceLanes(VectorOperators.ADD);
            for (; i < c; i++) {
                float d = Kernels.get(x, xo + i) - m;
                var += d * d;
            }
            float s = (float) (1.0 / Math.sqrt(var / c + EPS));
            i = 0;
            for (; i < bound; i += Kernels.L) {
                FloatVector n = Kernels.load(x, xo + i).sub(m).mul(s);
                Kernels.store(n.fma(Kernels.load(wb, wOff + i), Kernels.load(bb, bOff + i)), o, oo + i);
            }
            for (; i < c; i++) {
                float n = (Kernels.get(x, xo + i) - m) * s;
                Kernels.put(o, oo + i, n * Kernels.get(wb, wOff + i) + Kernels.get(bb, bOff + i));
            }
            if (mean != null) {
                mean.set(statOff + r, m);
                rstd.set(statOff + r, s);
            }
        }
        Profiler.stop(Profiler.LAYERNORM, t0);
    }

    /** dinp += ..., dw += ..., db += ... (the input gradient adds into the residual stream's). */
    static void backward(
            NativeBuffer dinp,
            int dinpOff,
            NativeBuffer dw,
            int dwOff,
            NativeBuffer db,
            int dbOff,
            NativeBuffer dout,
            int doutOff,
            NativeBuffer inp,
            int inpOff,
            NativeBuffer w,
            int wOff,
            NativeBuffer mean,
            NativeBuffer rstd,
            int statOff,
            int rows,
            int c) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, dy = dout.bb, wb = w.bb, dx = dinp.bb, dwb = dw.bb, dbb = db.bb;
        int bound = Kernels.S.loopBound(c);
        for (int r = 0; r < rows; r++) {
            int xo = inpOff + r * c, dyo = doutOff + r * c, dxo = dinpOff + r * c;
            float m = mean.get(statOff + r), s = rstd.get(statOff + r);
            FloatVector a1 = FloatVector.zero(Kernels.S), a2 = FloatVector.zero(Kernels.S);
            int i = 0;
            for (; i < bound; i += Kernels.L) {
                FloatVector norm = Kernels.load(x, xo + i).sub(m).mul(s);
                FloatVector dnorm = Kernels.load(wb, wOff + i).mul(Kernels.load(dy, dyo + i));
                a1 = a1.add(dnorm);
                a2 = dnorm.fma(norm, a2);
            }
            float dnormMean = a1.reduceLanes(VectorOperators.ADD), dnormNormMean = a2.reduceLanes(VectorOperators.ADD);
            for (; i < c; i++) {
                float norm = (Kernels.get(x, xo + i) - m) * s;
                float dnorm = Kernels.get(wb, wOff + i) * Kernels.get(dy, dyo + i);
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= c;
            dnormNormMean /= c;
            i = 0;
            for (; i < bound; i += Kernels.L) {
                FloatVector g = Kernels.load(dy, dyo + i);
                FloatVector norm = Kernels.load(x, xo + i).sub(m).mul(s);
                Kernels.store(Kernels.load(dbb, dbOff + i).add(g), dbb, dbOff + i);
                Kernels.store(norm.fma(g, Kernels.load(dwb, dwOff + i)), dwb, dwOff + i);
                FloatVector dnorm = Kernels.load(wb, wOff + i).mul(g);
                FloatVector v =
                        dnorm.sub(dnormMean).sub(norm.mul(dnormNormMean)).mul(s);
                Kernels.store(Kernels.load(dx, dxo + i).add(v), dx, dxo + i);
            }
            for (; i < c; i++) {
                float g = Kernels.get(dy, dyo + i);
                float norm = (Kernels.get(x, xo + i) - m) * s;
                Kernels.put(dbb, dbOff + i, Kernels.get(dbb, dbOff + i) + g);
                Kernels.put(dwb, dwOff + i, Kernels.get(dwb, dwOff + i) + norm * g);
                float dnorm = Kernels.get(wb, wOff + i) * g;
                Kernels.put(dx, dxo + i, Kernels.get(dx, dxo + i) + (dnorm - dnormMean - norm * dnormNormMean) * s);
            }
        }
        Profiler.stop(Profiler.LAYERNORM, t0);
    }
}
