package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DecodeKernelsTest {
    /** out = x @ W^T + bias (+ out), in double, for W as PyTorch stores it (out, in). */
    private static float[] reference(float[] x, float[] w, float[] bias, float[] before, int rows, int ic, int oc) {
        float[] out = new float[rows * oc];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < oc; j++) {
                double s = bias == null ? 0 : bias[j];
                if (before != null) s += before[r * oc + j];
                for (int k = 0; k < ic; k++) s += (double) x[r * ic + k] * w[j * ic + k];
                out[r * oc + j] = (float) s;
            }
        }
        return out;
    }

    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    @Test
    void matmulMatchesTheReferenceForEveryRowBlockAndOddShapes() {
        Rng rng = new Rng(1);
        int p = DecodeKernels.P;
        // Output widths with whole panels, a tail only, and both; inputs odd and even.
        int[][] shapes = {{64, 3 * p}, {37, p + 7}, {5, p - 3}, {128, 2 * p + 1}};
        for (int[] shape : shapes) {
            int ic = shape[0], oc = shape[1];
            float[] w = random(rng, oc * ic), bias = random(rng, oc), packed = DecodeKernels.pack(w, 0, oc, ic);
            for (int rows = 1; rows <= 13; rows++) {
                float[] x = random(rng, rows * ic), before = random(rng, rows * oc);
                for (boolean acc : new boolean[] {false, true}) {
                    for (float[] b : new float[][] {null, bias}) {
                        float[] out = acc ? before.clone() : new float[rows * oc];
                        DecodeKernels.matmul(out, 0, oc, x, 0, ic, packed, b, rows, ic, oc, acc);
                        float[] want = reference(x, w, b, acc ? before : null, rows, ic, oc);
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(
                                    want[i],
                                    out[i],
                                    1e-4f * (1 + Math.abs(want[i])),
                                    ic + "x" + oc + " rows " + rows + " acc " + acc + " bias " + (b != null) + " at "
                                            + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void matmulWritesOnlyItsRowsAtTheGivenStrides() {
        Rng rng = new Rng(2);
        int ic = 16, oc = DecodeKernels.P * 2, rows = 6, xs = ic + 5, os = oc + 3;
        float[] w = random(rng, oc * ic), packed = DecodeKernels.pack(w, 0, oc, ic);
        float[] x = random(rng, 2 + rows * xs);
        float[] out = new float[1 + rows * os + 4];
        java.util.Arrays.fill(out, 7f);
        DecodeKernels.matmul(out, 1, os, x, 2, xs, packed, null, rows, ic, oc, false);
        assertEquals(7f, out[0]);
        for (int r = 0; r < rows; r++) {
            for (int j = oc; j < os && 1 + r * os + j < out.length; j++)
                assertEquals(7f, out[1 + r * os + j], "gap after row " + r);
            for (int j = 0; j < oc; j++) {
                double s = 0;
                for (int k = 0; k < ic; k++) s += (double) x[2 + r * xs + k] * w[j * ic + k];
                assertEquals(s, out[1 + r * os + j], 1e-4);
            }
        }
    }

    @Test
    void layerNormAndGeluMatchTheTrainingKernels() {
        Rng rng = new Rng(3);
        int c = 40;
        float[] x = random(rng, c), w = random(rng, c), b = random(rng, c);
        for (int i = 0; i < c; i++) x[i] = x[i] * 3 + 5; // a large mean
        float[] out = new float[c];
        DecodeKernels.layerNorm(out, 0, x, 0, w, b, c);
        double m = 0, v = 0;
        for (float f : x) m += f;
        m /= c;
        for (float f : x) v += (f - m) * (f - m);
        double rstd = 1 / Math.sqrt(v / c + LayerNorm.EPS);
        for (int i = 0; i < c; i++) assertEquals((x[i] - m) * rstd * w[i] + b[i], out[i], 1e-4);

        float[] g = random(rng, 37);
        float[] want = new float[g.length];
        for (int i = 0; i < g.length; i++)
            want[i] = (float) (0.5 * g[i] * (1 + Math.tanh(Gelu.K * (g[i] + Gelu.A * Math.pow(g[i], 3)))));
        DecodeKernels.gelu(g, 0, g.length);
        for (int i = 0; i < g.length; i++) assertEquals(want[i], g[i], 1e-5);
        assertTrue(DecodeKernels.P % DecodeKernels.L == 0);
    }
}
