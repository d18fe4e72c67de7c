package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;

/**
 * GELU, tanh approximation as in GPT-2: 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3),
 * computed as x sigmoid(2u) = x / (1 + exp(-2u)), the same function (0.5 (1 + tanh u) = sigmoid(2u)):
 * one {@link MathKernels#exp} instead of a tanh, and no cancellation in 1 + tanh(u) for negative x.
 */
final class Gelu {
    static final float K = (float) Math.sqrt(2.0 / Math.PI);
    static final float A = 0.044715f;
    static final float MINUS_2K = -2f * K;

    private Gelu() {}

    static void forward(NativeBuffer out, int outOff, NativeBuffer inp, int inpOff, int n) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, o = out.bb;
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            FloatVector v = Kernels.load(x, inpOff + i);
            FloatVector e = MathKernels.exp(v.mul(v).mul(A).add(1f).mul(v).mul(MINUS_2K)); // exp(-2u)
            Kernels.store(v.div(e.add(1f)), o, outOff + i);
        }
        for (; i < n; i++) {
            float v = Kernels.get(x, inpOff + i);
            float e = MathKernels.exp((v * v * A + 1f) * v * MINUS_2K);
            Kernels.put(o, outOff + i, v / (e + 1f));
        }
        Profiler.stop(Profiler.GELU, t0);
    }

    /** dinp = dout * gelu'(inp), overwriting dinp (dinp may alias dout). */
    static void backward(
            NativeBuffer dinp, int dinpOff, NativeBuffer inp, int inpOff, NativeBuffer dout, int doutOff, int n) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, dy = dout.bb, dx = dinp.bb;
        FloatVector one = FloatVector.broadcast(Kernels.S, 1f);
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            FloatVector v = Kernels.load(x, inpOff + i);
            FloatVector v2 = v.mul(v);
            FloatVector e = MathKernels.exp(v2.mul(A).add(1f).mul(v).mul(MINUS_2K));
            FloatVector s = one.div(e.add(1f)); // sigmoid(2u)
            // d/dx x s = s + 2 x s (1 - s) du/dx = s (1 + 2 K x (1 - s) (1 + 3 A x^2)), with 1 - s = e s (no
            // cancellation)
            FloatVector local = s.mul(
                    e.mul(s).mul(v).mul(v2.mul(3f * A).add(1f)).mul(2f * K).add(1f));
            Kernels.store(local.mul(Kernels.load(dy, doutOff + i)), dx, dinpOff + i);
        }
        for (; i < n; i++) {
            float v = Kernels.get(x, inpOff + i), v2 = v * v;
            float e = MathKernels.exp((v2 * A + 1f) * v * MINUS_2K);
            float s = 1f / (e + 1f);
            float local = s * (e * s * v * (v2 * (3f * A) + 1f) * (2f * K) + 1f);
            Kernels.put(dx, dinpOff + i, local * Kernels.get(dy, doutOff + i));
        }
        Profiler.stop(Profiler.GELU, t0);
    }
}
