package dev.scratchlm.gpt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp for the training kernels, built only from operations that IEEE 754 and the Vector API define
 * exactly (+, -, *, fma, min/max, integer add and shift), so the interpreter, C1 and C2 all give the
 * same bits, and a vector lane the same bits as the scalar version.
 *
 * <p>Why not {@code lanewise(EXP)} or {@code lanewise(TANH)}: their accuracy is only bounded, and C2
 * calls Intel's SVML for them while the interpreter and C1 run the Java fallback ({@code Math.exp} per
 * lane). Measured on JDK 17 here: GELU outputs up to 16 ulps and softmax rows 2 ulps apart between a
 * cold and a compiled kernel, so a run's losses depended on when the JIT had compiled each kernel, and
 * a job resumed in a warm JVM drifted a float ulp away from the uninterrupted run.
 *
 * <p>exp(x) = 2^n exp(r) with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in
 * two, Cody and Waite, so n * LN2_HI is exact); exp(r) by its Taylor series to r^7 (truncation error
 * below 1e-8 relative there); 2^n written straight into a float's exponent bits. Within one ulp of
 * the correctly rounded result for x in [-87.3, 88.3]; inputs outside are clamped to that range
 * (results from 1.2e-38 to 2.2e38), which is all a softmax or a sigmoid needs.
 */
final class MathKernels {
    static final float LOG2E = (float) (1.0 / Math.log(2.0));
    /** ln 2 to 9 significant bits, so n * LN2_HI is exact for every n here. */
    static final float LN2_HI = 0.693359375f;

    static final float LN2_LO = (float) (Math.log(2.0) - 0.693359375);
    /** 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer, kept in the low mantissa bits. */
    static final float ROUND = 0x1.8p23f;
    /** Turns the bits of ROUND + n into the bits of 2^n: (n + 127) << 23. */
    static final int EXPONENT_BIAS = 127 - Float.floatToRawIntBits(ROUND);
    /** n stays in [-126, 127], where 2^n is a normal float. */
    static final float MIN_X = -87.3f, MAX_X = 88.3f;
    // Taylor coefficients 1/k! of exp(r).
    static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    private MathKernels() {}

    static float exp(float x) {
        float xc = Math.min(Math.max(x, MIN_X), MAX_X);
        float t = Math.fma(xc, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, xc));
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + EXPONENT_BIAS) << 23);
    }

    // The constants as vectors, broadcast once: a broadcast inside the kernel costs C2 parse nodes on every
    // call site, and kernels that run out of its node budget leave vectors boxed (slow, allocating).
    private static final FloatVector V_MIN_X = splat(MIN_X),
            V_MAX_X = splat(MAX_X),
            V_LOG2E = splat(LOG2E),
            V_ROUND = splat(ROUND),
            V_NEG_LN2_HI = splat(-LN2_HI),
            V_NEG_LN2_LO = splat(-LN2_LO),
            V_C2 = splat(C2),
            V_C3 = splat(C3),
            V_C4 = splat(C4),
            V_C5 = splat(C5),
            V_C6 = splat(C6),
            V_C7 = splat(C7),
            V_ONE = splat(1f);

    /** Lane-wise {@link #exp(float)}, bit for bit. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(V_MIN_X).min(V_MAX_X);
        FloatVector t = xc.fma(V_LOG2E, V_ROUND);
        FloatVector n = t.sub(V_ROUND);
        FloatVector r = n.fma(V_NEG_LN2_LO, n.fma(V_NEG_LN2_HI, xc));
        FloatVector p = r.fma(V_C7, V_C6);
        p = p.fma(r, V_C5);
        p = p.fma(r, V_C4);
        p = p.fma(r, V_C3);
        p = p.fma(r, V_C2);
        p = p.fma(r, V_ONE);
        p = p.fma(r, V_ONE);
        return p.mul(t.reinterpretAsInts()
                .add(EXPONENT_BIAS)
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats());
    }

    private static FloatVector splat(float c) {
        return FloatVector.broadcast(Kernels.S, c);
    }
}
