package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** GELU, tanh approximation as in GPT-2: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
final class Gelu {
    static final float K = (float) Math.sqrt(2.0 / Math.PI);
    static final float A = 0.044715f;

    private Gelu() {}

    static void forward(NativeBuffer out, int outOff, NativeBuffer inp, int inpOff, int n) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, o = out.bb;
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            FloatVector v = Kernels.load(x, inpOff + i);
            FloatVector u = v.mul(v).mul(v).mul(A).add(v).mul(K);
            FloatVector t = u.lanewise(VectorOperators.TANH);
            Kernels.store(v.mul(0.5f).mul(t.add(1f)), o, outOff + i);
        }
        for (; i < n; i++) {
            float v = Kernels.get(x, inpOff + i);
            float t = (float) Math.tanh(K * (v + A * v * v * v));
            Kernels.put(o, outOff + i, 0.5f * v * (1f + t));
        }
        Profiler.stop(Profiler.GELU, t0);
    }

    /** dinp = dout * gelu'(inp), overwriting dinp (dinp may alias dout). */
    static void backward(NativeBuffer dinp, int dinpOff, NativeBuffer inp, int inpOff, NativeBuffer dout, int doutOff,
                         int n) {
        long t0 = Profiler.start();
        ByteBuffer x = inp.bb, dy = dout.bb, dx = dinp.bb;
        int i = 0;
        for (int bound = Kernels.S.loopBound(n); i < bound; i += Kernels.L) {
            FloatVector v = Kernels.load(x, inpOff + i);
            FloatVector v2 = v.mul(v);
            FloatVector t = v2.mul(A).add(1f).mul(v).mul(K).lanewise(VectorOperators.TANH);
            // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) K (1 + 3 A x^2)
            FloatVector sech2 = t.mul(t).neg().add(1f);
            FloatVector local = t.add(1f).mul(0.5f)
                    .add(v.mul(0.5f).mul(sech2).mul(v2.mul(3f * A).add(1f).mul(K)));
            Kernels.store(local.mul(Kernels.load(dy, doutOff + i)), dx, dinpOff + i);
        }
        for (; i < n; i++) {
            float v = Kernels.get(x, inpOff + i);
            float t = (float) Math.tanh(K * (v + A * v * v * v));
            float local = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * K * (1f + 3f * A * v * v);
            Kernels.put(dx, dinpOff + i, local * Kernels.get(dy, doutOff + i));
        }
        Profiler.stop(Profiler.GELU, t0);
    }
}
