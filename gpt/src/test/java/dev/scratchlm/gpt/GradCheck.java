package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;

/**
 * Central finite differences against analytic gradients. Values are float32, so the objective is
 * summed in double and the step is large enough (1e-2 .. 1e-3) that rounding stays well below the
 * tolerance; a wrong gradient is off by O(1) relative, far outside it.
 */
final class GradCheck {
    private GradCheck() {}

    static NativeBuffer buffer(float[] values) {
        NativeBuffer b = new NativeBuffer(values.length);
        b.copyFrom(0, values, 0, values.length);
        return b;
    }

    static float[] random(Rng rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextGaussian() * std);
        return a;
    }

    static float[] read(NativeBuffer b, int off, int n) {
        float[] a = new float[n];
        b.copyTo(off, a, 0, n);
        return a;
    }

    /** sum(out[off..off+n) * r) in double. */
    static double weighted(NativeBuffer out, int off, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) out.get(off + i) * r[i];
        return s;
    }

    /** {@link #check} for a plain array input (the per-sequence scalars the preference losses read). */
    static void check(String what, float[] x, float[] analytic, DoubleSupplier objective, double eps) {
        NativeBuffer shadow = buffer(x);
        check(
                what,
                shadow,
                0,
                analytic,
                () -> {
                    shadow.copyTo(0, x, 0, x.length);
                    return objective.getAsDouble();
                },
                eps,
                1000);
        shadow.copyTo(0, x, 0, x.length);
    }

    /**
     * Compares {@code analytic[i]} (d objective / d x[i]) with the numeric derivative of
     * {@code objective} when element {@code off + i} of {@code x} is nudged, for every i (or a strided
     * subset of at most {@code maxChecks}).
     */
    static void check(
            String what,
            NativeBuffer x,
            int off,
            float[] analytic,
            DoubleSupplier objective,
            double eps,
            int maxChecks) {
        int n = analytic.length, stride = Math.max(1, n / maxChecks);
        double num2 = 0, diff2 = 0, ana2 = 0, worst = 0;
        int worstAt = -1;
        for (int i = 0; i < n; i += stride) {
            float orig = x.get(off + i);
            x.set(off + i, (float) (orig + eps));
            double plus = objective.getAsDouble();
            x.set(off + i, (float) (orig - eps));
            double minus = objective.getAsDouble();
            x.set(off + i, orig);
            double numeric = (plus - minus) / (2 * eps);
            double a = analytic[i], d = Math.abs(a - numeric);
            num2 += numeric * numeric;
            ana2 += a * a;
            diff2 += d * d;
            double tol = 2e-3 + 2e-2 * Math.max(Math.abs(a), Math.abs(numeric));
            if (d / tol > worst) {
                worst = d / tol;
                worstAt = i;
            }
        }
        double rel = Math.sqrt(diff2) / (Math.sqrt(num2) + Math.sqrt(ana2) + 1e-12);
        assertTrue(ana2 > 0, what + ": analytic gradient is all zeros");
        assertTrue(rel < 1e-2, what + ": relative error " + rel);
        assertTrue(
                worst <= 1.0,
                what + ": element " + worstAt + " analytic " + analytic[worstAt] + " is off (worst/tol " + worst + ")");
    }
}
