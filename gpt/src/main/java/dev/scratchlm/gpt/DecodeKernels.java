package dev.scratchlm.gpt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for incremental decoding on heap arrays: a few rows (one per sequence) at a time,
 * weights laid out (in, out) by {@link DecodeWeights}. Heap arrays because {@code FloatVector.fromArray}
 * compiles to plain vector loads here, while loads from a ByteBuffer view cost several times more.
 */
final class DecodeKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output columns per pass of the matmul kernels: two vectors. */
    static final int P = 2 * L;

    private DecodeKernels() {}

    /**
     * A PyTorch (out, in) weight at {@code off} in {@code all}, repacked for {@link #matmul}: panels of P output
     * columns, each panel (in, P) contiguous, then the last out % P columns as (in, out % P). A pass of the
     * kernels then streams one contiguous panel; reading strips of an (in, out) matrix instead halved the
     * bandwidth on a model whose weights do not fit the cache.
     */
    static float[] pack(float[] all, int off, int out, int in) {
        float[] t = new float[out * in];
        int full = out - out % P, tail = out - full;
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in; k++) {
                float v = all[off + o * in + k];
                if (o < full) t[(o / P) * in * P + k * P + o % P] = v;
                else t[full * in + k * tail + o - full] = v;
            }
        }
        return t;
    }

    /**
     * {@code out[r] = x[r] @ w + bias} for rows r in [0, rows), or {@code out[r] += ...} with {@code accumulate}
     * (the residual connection, fused). Row r of x starts at {@code xOff + r * xStride}, of out at
     * {@code outOff + r * outStride}; w is packed by {@link #pack} from an (oc, ic) matrix; bias (oc) may be null.
     *
     * <p>Rows go in blocks of up to 8 (5-8 rows share one pass over the weights; a short block repeats its
     * last row rather than falling back to smaller kernels), 2-4, or 1.
     */
    static void matmul(
            float[] out,
            int outOff,
            int outStride,
            float[] x,
            int xOff,
            int xStride,
            float[] w,
            float[] bias,
            int rows,
            int ic,
            int oc,
            boolean accumulate) {
        matmul(out, outOff, outStride, x, xOff, xStride, w, bias, rows, ic, oc, accumulate, 0, oc);
    }

    /**
     * As above for output columns [from, to) only (threads split a product by columns this way): {@code from} a
     * multiple of {@link #P}, {@code to} a multiple of P or oc.
     */
    static void matmul(
            float[] out,
            int outOff,
            int outStride,
            float[] x,
            int xOff,
            int xStride,
            float[] w,
            float[] bias,
            int rows,
            int ic,
            int oc,
            boolean accumulate,
            int from,
            int to) {
        int r = 0;
        while (r < rows) {
            int n = rows - r;
            int o = outOff + r * outStride, xo = xOff + r * xStride;
            if (n >= 5) {
                n = Math.min(8, n);
                rows8(out, o, outStride, x, xo, xStride, w, bias, n, ic, oc, accumulate, from, to);
            } else if (n >= 2) {
                n = Math.min(4, n);
                rows4(out, o, outStride, x, xo, xStride, w, bias, n, ic, oc, accumulate, from, to);
            } else {
                row1(out, o, x, xo, w, bias, ic, oc, accumulate, from, to);
            }
            if (to == oc) columnTail(out, o, outStride, x, xo, xStride, w, bias, n, ic, oc, accumulate);
            r += n;
        }
    }

    /** 5-8 rows, 2 vectors of outputs per pass: 16 accumulators, each weight vector loaded once for all rows. */
    private static void rows8(
            float[] out,
            int o,
            int os,
            float[] x,
            int xo,
            int xs,
            float[] w,
            float[] bias,
            int n,
            int ic,
            int oc,
            boolean acc,
            int from,
            int to) {
        int x0 = xo,
                x1 = xo + Math.min(1, n - 1) * xs,
                x2 = xo + Math.min(2, n - 1) * xs,
                x3 = xo + Math.min(3, n - 1) * xs;
        int x4 = xo + Math.min(4, n - 1) * xs, x5 = xo + Math.min(5, n - 1) * xs, x6 = xo + Math.min(6, n - 1) * xs;
        int x7 = xo + Math.min(7, n - 1) * xs;
        for (int j = from, end = Math.min(to, oc - oc % P), panel = from * ic; j < end; j += P, panel += ic * P) {
            FloatVector i0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j);
            FloatVector i1 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j + L);
            FloatVector a0 = i0, a1 = i0, a2 = i0, a3 = i0, a4 = i0, a5 = i0, a6 = i0, a7 = i0;
            FloatVector b0 = i1, b1 = i1, b2 = i1, b3 = i1, b4 = i1, b5 = i1, b6 = i1, b7 = i1;
            if (acc) { // rows past n repeat row n-1 and are never stored
                int q = Math.min(1, n - 1) * os, s = o + j;
                a0 = a0.add(FloatVector.fromArray(S, out, s));
                b0 = b0.add(FloatVector.fromArray(S, out, s + L));
                a1 = a1.add(FloatVector.fromArray(S, out, s + q));
                b1 = b1.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(2, n - 1) * os;
                a2 = a2.add(FloatVector.fromArray(S, out, s + q));
                b2 = b2.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(3, n - 1) * os;
                a3 = a3.add(FloatVector.fromArray(S, out, s + q));
                b3 = b3.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(4, n - 1) * os;
                a4 = a4.add(FloatVector.fromArray(S, out, s + q));
                b4 = b4.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(5, n - 1) * os;
                a5 = a5.add(FloatVector.fromArray(S, out, s + q));
                b5 = b5.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(6, n - 1) * os;
                a6 = a6.add(FloatVector.fromArray(S, out, s + q));
                b6 = b6.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(7, n - 1) * os;
                a7 = a7.add(FloatVector.fromArray(S, out, s + q));
                b7 = b7.add(FloatVector.fromArray(S, out, s + q + L));
            }
            for (int k = 0, wk = panel; k < ic; k++, wk += P) {
                FloatVector w0 = FloatVector.fromArray(S, w, wk), w1 = FloatVector.fromArray(S, w, wk + L);
                FloatVector v = FloatVector.broadcast(S, x[x0 + k]);
                a0 = w0.fma(v, a0);
                b0 = w1.fma(v, b0);
                v = FloatVector.broadcast(S, x[x1 + k]);
                a1 = w0.fma(v, a1);
                b1 = w1.fma(v, b1);
                v = FloatVector.broadcast(S, x[x2 + k]);
                a2 = w0.fma(v, a2);
                b2 = w1.fma(v, b2);
                v = FloatVector.broadcast(S, x[x3 + k]);
                a3 = w0.fma(v, a3);
                b3 = w1.fma(v, b3);
                v = FloatVector.broadcast(S, x[x4 + k]);
                a4 = w0.fma(v, a4);
                b4 = w1.fma(v, b4);
                v = FloatVector.broadcast(S, x[x5 + k]);
                a5 = w0.fma(v, a5);
                b5 = w1.fma(v, b5);
                v = FloatVector.broadcast(S, x[x6 + k]);
                a6 = w0.fma(v, a6);
                b6 = w1.fma(v, b6);
                v = FloatVector.broadcast(S, x[x7 + k]);
                a7 = w0.fma(v, a7);
                b7 = w1.fma(v, b7);
            }
            int s = o + j;
            a0.intoArray(out, s);
            b0.intoArray(out, s + L);
            a1.intoArray(out, s + os);
            b1.intoArray(out, s + os + L);
            a2.intoArray(out, s + 2 * os);
            b2.intoArray(out, s + 2 * os + L);
            a3.intoArray(out, s + 3 * os);
            b3.intoArray(out, s + 3 * os + L);
            a4.intoArray(out, s + 4 * os);
            b4.intoArray(out, s + 4 * os + L);
            if (n > 5) {
                a5.intoArray(out, s + 5 * os);
                b5.intoArray(out, s + 5 * os + L);
            }
            if (n > 6) {
                a6.intoArray(out, s + 6 * os);
                b6.intoArray(out, s + 6 * os + L);
            }
            if (n > 7) {
                a7.intoArray(out, s + 7 * os);
                b7.intoArray(out, s + 7 * os + L);
            }
        }
    }

    /** 2-4 rows, 2 vectors of outputs per pass (8 accumulators: enough to hide the FMA latency). */
    private static void rows4(
            float[] out,
            int o,
            int os,
            float[] x,
            int xo,
            int xs,
            float[] w,
            float[] bias,
            int n,
            int ic,
            int oc,
            boolean acc,
            int from,
            int to) {
        int x0 = xo,
                x1 = xo + Math.min(1, n - 1) * xs,
                x2 = xo + Math.min(2, n - 1) * xs,
                x3 = xo + Math.min(3, n - 1) * xs;
        for (int j = from, end = Math.min(to, oc - oc % P), panel = from * ic; j < end; j += P, panel += ic * P) {
            FloatVector i0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j);
            FloatVector i1 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j + L);
            FloatVector a0 = i0, a1 = i0, a2 = i0, a3 = i0, b0 = i1, b1 = i1, b2 = i1, b3 = i1;
            if (acc) {
                int q = Math.min(1, n - 1) * os, s = o + j;
                a0 = a0.add(FloatVector.fromArray(S, out, s));
                b0 = b0.add(FloatVector.fromArray(S, out, s + L));
                a1 = a1.add(FloatVector.fromArray(S, out, s + q));
                b1 = b1.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(2, n - 1) * os;
                a2 = a2.add(FloatVector.fromArray(S, out, s + q));
                b2 = b2.add(FloatVector.fromArray(S, out, s + q + L));
                q = Math.min(3, n - 1) * os;
                a3 = a3.add(FloatVector.fromArray(S, out, s + q));
                b3 = b3.add(FloatVector.fromArray(S, out, s + q + L));
            }
            for (int k = 0, wk = panel; k < ic; k++, wk += P) {
                FloatVector w0 = FloatVector.fromArray(S, w, wk), w1 = FloatVector.fromArray(S, w, wk + L);
                FloatVector v = FloatVector.broadcast(S, x[x0 + k]);
                a0 = w0.fma(v, a0);
                b0 = w1.fma(v, b0);
                v = FloatVector.broadcast(S, x[x1 + k]);
                a1 = w0.fma(v, a1);
                b1 = w1.fma(v, b1);
                v = FloatVector.broadcast(S, x[x2 + k]);
                a2 = w0.fma(v, a2);
                b2 = w1.fma(v, b2);
                v = FloatVector.broadcast(S, x[x3 + k]);
                a3 = w0.fma(v, a3);
                b3 = w1.fma(v, b3);
            }
            int s = o + j;
            a0.intoArray(out, s);
            b0.intoArray(out, s + L);
            a1.intoArray(out, s + os);
            b1.intoArray(out, s + os + L);
            if (n > 2) {
                a2.intoArray(out, s + 2 * os);
                b2.intoArray(out, s + 2 * os + L);
            }
            if (n > 3) {
                a3.intoArray(out, s + 3 * os);
                b3.intoArray(out, s + 3 * os + L);
            }
        }
    }

    /**
     * One row: loads, not FMAs, bound it, and one accumulator chain would stall on the FMA latency, so even and
     * odd k accumulate separately (4 chains per vector pair).
     */
    private static void row1(
            float[] out,
            int o,
            float[] x,
            int xo,
            float[] w,
            float[] bias,
            int ic,
            int oc,
            boolean acc,
            int from,
            int to) {
        for (int j = from, end = Math.min(to, oc - oc % P), panel = from * ic; j < end; j += P, panel += ic * P) {
            FloatVector a0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j);
            FloatVector b0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j + L);
            if (acc) {
                a0 = a0.add(FloatVector.fromArray(S, out, o + j));
                b0 = b0.add(FloatVector.fromArray(S, out, o + j + L));
            }
            FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            int k = 0, wk = panel;
            for (; k + 1 < ic; k += 2, wk += 2 * P) {
                FloatVector v = FloatVector.broadcast(S, x[xo + k]), u = FloatVector.broadcast(S, x[xo + k + 1]);
                a0 = FloatVector.fromArray(S, w, wk).fma(v, a0);
                b0 = FloatVector.fromArray(S, w, wk + L).fma(v, b0);
                a1 = FloatVector.fromArray(S, w, wk + P).fma(u, a1);
                b1 = FloatVector.fromArray(S, w, wk + P + L).fma(u, b1);
            }
            if (k < ic) {
                FloatVector v = FloatVector.broadcast(S, x[xo + k]);
                a0 = FloatVector.fromArray(S, w, wk).fma(v, a0);
                b0 = FloatVector.fromArray(S, w, wk + L).fma(v, b0);
            }
            a0.add(a1).intoArray(out, o + j);
            b0.add(b1).intoArray(out, o + j + L);
        }
    }

    /** The last oc % P output columns, one at a time (only odd shapes have any). */
    private static void columnTail(
            float[] out,
            int o,
            int os,
            float[] x,
            int xo,
            int xs,
            float[] w,
            float[] bias,
            int n,
            int ic,
            int oc,
            boolean acc) {
        int from = oc - oc % P, tail = oc - from;
        for (int r = 0; r < n; r++) {
            for (int j = from; j < oc; j++) {
                float s = bias == null ? 0f : bias[j];
                if (acc) s += out[o + r * os + j];
                for (int k = 0; k < ic; k++) s += x[xo + r * xs + k] * w[from * ic + k * tail + j - from];
                out[o + r * os + j] = s;
            }
        }
    }

    /** out = LayerNorm(x) * w + b for one row of c floats (two-pass variance, as in training). */
    static void layerNorm(float[] out, int oo, float[] x, int xo, float[] w, float[] b, int c) {
        int bound = S.loopBound(c), i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, x, xo + i));
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < c; i++) sum += x[xo + i];
        float m = sum / c;
        acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(m);
            acc = d.fma(d, acc);
        }
        float var = acc.reduceLanes(VectorOperators.ADD);
        for (; i < c; i++) var += (x[xo + i] - m) * (x[xo + i] - m);
        float s = (float) (1.0 / Math.sqrt(var / c + LayerNorm.EPS));
        for (i = 0; i < bound; i += L) {
            FloatVector nrm = FloatVector.fromArray(S, x, xo + i).sub(m).mul(s);
            nrm.fma(FloatVector.fromArray(S, w, i), FloatVector.fromArray(S, b, i))
                    .intoArray(out, oo + i);
        }
        for (; i < c; i++) out[oo + i] = (x[xo + i] - m) * s * w[i] + b[i];
    }

    /**
     * GELU in place on a[off, off + n), computed as {@link Gelu} does (x sigmoid(2u), with {@link MathKernels#exp}):
     * the same bits whether the JIT has compiled this yet or not, so a seeded answer never depends on warm-up.
     */
    static void gelu(float[] a, int off, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, off + i);
            FloatVector e = MathKernels.exp(v.mul(v).mul(Gelu.A).add(1f).mul(v).mul(Gelu.MINUS_2K));
            v.div(e.add(1f)).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            float v = a[off + i];
            a[off + i] = v / (MathKernels.exp((v * v * Gelu.A + 1f) * v * Gelu.MINUS_2K) + 1f);
        }
    }

    /** out[oo, oo + n) = a[ao..] + b[bo..] (token plus position embedding). */
    static void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i)
                    .add(FloatVector.fromArray(S, b, bo + i))
                    .intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }
}
