package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class MathKernelsTest {

    private static int ulps(float a, float b) {
        return Math.abs(Float.floatToIntBits(a) - Float.floatToIntBits(b));
    }

    @Test
    void expIsWithinOneUlpOverItsRange() {
        int worst = 0;
        float at = 0;
        for (float x = MathKernels.MIN_X; x <= MathKernels.MAX_X; x += 1.7e-3f) {
            int u = ulps(MathKernels.exp(x), (float) Math.exp(x));
            if (u > worst) {
                worst = u;
                at = x;
            }
        }
        assertTrue(worst <= 1, "exp is " + worst + " ulps off at " + at);
        assertEquals(1f, MathKernels.exp(0f), 0f);
        assertEquals((float) Math.E, MathKernels.exp(1f), Math.ulp((float) Math.E));
    }

    @Test
    void expClampsOutOfRangeInputsAndPropagatesNaN() {
        float low = MathKernels.exp(MathKernels.MIN_X), high = MathKernels.exp(MathKernels.MAX_X);
        assertTrue(low > 0f && low < 1.3e-38f, "exp(MIN_X) = " + low);
        assertTrue(Float.isFinite(high) && high > 2e38f, "exp(MAX_X) = " + high);
        assertEquals(low, MathKernels.exp(Float.NEGATIVE_INFINITY), 0f);
        assertEquals(low, MathKernels.exp(-1000f), 0f);
        assertEquals(high, MathKernels.exp(Float.POSITIVE_INFINITY), 0f);
        assertTrue(Float.isNaN(MathKernels.exp(Float.NaN)));
        float[] in = new float[Kernels.L];
        in[0] = Float.NaN;
        in[1] = Float.NEGATIVE_INFINITY;
        float[] out = new float[Kernels.L];
        MathKernels.exp(FloatVector.fromArray(Kernels.S, in, 0)).intoArray(out, 0);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(low, out[1], 0f);
    }

    /**
     * Every lane equals the scalar function bit for bit, on every call while the JIT moves the kernel from
     * the interpreter through C1 to C2: this is what makes training results independent of JIT timing
     * (the Vector API's own EXP differs between those stages).
     */
    @Test
    void vectorLanesEqualTheScalarFunctionInEveryJitStage() {
        Rng rng = new Rng(5);
        int n = Kernels.L * 8;
        float[] in = new float[n], out = new float[n];
        for (int call = 0; call < 20_000; call++) {
            for (int i = 0; i < n; i++) in[i] = (float) (rng.nextDouble() * 175 - 87);
            for (int i = 0; i < n; i += Kernels.L)
                MathKernels.exp(FloatVector.fromArray(Kernels.S, in, i)).intoArray(out, i);
            for (int i = 0; i < n; i++) {
                float expected = MathKernels.exp(in[i]);
                if (Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(expected)) {
                    throw new AssertionError(
                            "call " + call + ": exp(" + in[i] + ") lane gives " + out[i] + ", scalar " + expected);
                }
            }
        }
    }

    /** GELU as x sigmoid(2u) is the GPT-2 tanh form, to float rounding. */
    @Test
    void geluMatchesTheTanhFormula() {
        int n = 1000;
        NativeBuffer x = new NativeBuffer(n), y = new NativeBuffer(n), d = new NativeBuffer(n);
        for (int i = 0; i < n; i++) {
            x.set(i, -12f + 24f * i / n);
            d.set(i, 1f);
        }
        Gelu.forward(y, 0, x, 0, n);
        Gelu.backward(d, 0, x, 0, d, 0, n);
        for (int i = 0; i < n; i++) {
            double v = x.get(i), u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v), t = Math.tanh(u);
            double gelu = 0.5 * v * (1 + t);
            double grad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
            assertEquals(gelu, y.get(i), 3e-7 * Math.max(1, Math.abs(gelu)), "gelu(" + v + ")");
            assertEquals(grad, d.get(i), 1e-6 * Math.max(1, Math.abs(grad)), "gelu'(" + v + ")");
        }
    }
}
