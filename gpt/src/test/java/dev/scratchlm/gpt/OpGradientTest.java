package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Finite-difference checks for every operation's backward, each on its own small inputs. */
class OpGradientTest {
    private final Rng rng = new Rng(42);

    @Test
    void embedding() {
        int b = 2, t = 3, c = 5, v = 4;
        int[] idx = {0, 3, 3, 1, 0, 2};
        NativeBuffer wte = GradCheck.buffer(GradCheck.random(rng, v * c, 1));
        NativeBuffer wpe = GradCheck.buffer(GradCheck.random(rng, t * c, 1));
        NativeBuffer out = new NativeBuffer(b * t * c);
        float[] r = GradCheck.random(rng, b * t * c, 1);
        NativeBuffer dwte = new NativeBuffer(v * c), dwpe = new NativeBuffer(t * c);
        Embedding.backward(dwte, 0, dwpe, 0, GradCheck.buffer(r), 0, idx, 0, b, t, c);
        java.util.function.DoubleSupplier f = () -> {
            Embedding.forward(out, 0, wte, 0, wpe, 0, idx, 0, b, t, c, v);
            return GradCheck.weighted(out, 0, r);
        };
        GradCheck.check("embedding wte", wte, 0, GradCheck.read(dwte, 0, v * c), f, 1e-2, 1000);
        GradCheck.check("embedding wpe", wpe, 0, GradCheck.read(dwpe, 0, t * c), f, 1e-2, 1000);
    }

    @Test
    void layerNorm() {
        int rows = 4, c = 19; // 19: exercises the scalar tail after the vector loop
        NativeBuffer x = GradCheck.buffer(GradCheck.random(rng, rows * c, 2));
        NativeBuffer w = GradCheck.buffer(GradCheck.random(rng, c, 1));
        NativeBuffer bias = GradCheck.buffer(GradCheck.random(rng, c, 1));
        NativeBuffer out = new NativeBuffer(rows * c), mean = new NativeBuffer(rows), rstd = new NativeBuffer(rows);
        float[] r = GradCheck.random(rng, rows * c, 1);
        java.util.function.DoubleSupplier f = () -> {
            LayerNorm.forward(out, 0, mean, rstd, 0, x, 0, w, 0, bias, 0, rows, c);
            return GradCheck.weighted(out, 0, r);
        };
        f.getAsDouble();
        NativeBuffer dx = new NativeBuffer(rows * c), dw = new NativeBuffer(c), db = new NativeBuffer(c);
        LayerNorm.backward(dx, 0, dw, 0, db, 0, GradCheck.buffer(r), 0, x, 0, w, 0, mean, rstd, 0, rows, c);
        GradCheck.check("layernorm input", x, 0, GradCheck.read(dx, 0, rows * c), f, 1e-2, 1000);
        GradCheck.check("layernorm weight", w, 0, GradCheck.read(dw, 0, c), f, 1e-2, 1000);
        GradCheck.check("layernorm bias", bias, 0, GradCheck.read(db, 0, c), f, 1e-2, 1000);
    }

    @Test
    void linear() {
        checkLinear(5, 7, 6); // few rows: the dot-product kernel (and its scalar tail)
        checkLinear(20, 35, 6); // many rows: sgemm
    }

    private void checkLinear(int rows, int ic, int oc) {
        NativeBuffer x = GradCheck.buffer(GradCheck.random(rng, rows * ic, 1));
        NativeBuffer w = GradCheck.buffer(GradCheck.random(rng, oc * ic, 1));
        NativeBuffer bias = GradCheck.buffer(GradCheck.random(rng, oc, 1));
        NativeBuffer out = new NativeBuffer(rows * oc);
        float[] r = GradCheck.random(rng, rows * oc, 1);
        java.util.function.DoubleSupplier f = () -> {
            Linear.forward(out, 0, x, 0, w, 0, bias, 0, rows, ic, oc);
            return GradCheck.weighted(out, 0, r);
        };
        f.getAsDouble();
        // out = x W^T + b, checked directly too so a transposed weight cannot pass by symmetry.
        double expect = bias.get(2);
        for (int k = 0; k < ic; k++) expect += x.get(3 * ic + k) * w.get(2 * ic + k);
        assertEquals(expect, out.get(3 * oc + 2), 1e-5);
        NativeBuffer dx = new NativeBuffer(rows * ic), dw = new NativeBuffer(oc * ic), db = new NativeBuffer(oc);
        Linear.backward(dx, 0, dw, 0, db, 0, GradCheck.buffer(r), 0, x, 0, w, 0, rows, ic, oc);
        GradCheck.check("linear input", x, 0, GradCheck.read(dx, 0, rows * ic), f, 1e-2, 1000);
        GradCheck.check("linear weight", w, 0, GradCheck.read(dw, 0, oc * ic), f, 1e-2, 1000);
        GradCheck.check("linear bias", bias, 0, GradCheck.read(db, 0, oc), f, 1e-2, 1000);
    }

    @Test
    void attention() {
        checkAttention(0f);
    }

    @Test
    void attentionWithDropout() {
        checkAttention(0.3f);
    }

    private void checkAttention(float p) {
        int b = 2, t = 5, c = 8, nh = 2;
        NativeBuffer qkv = GradCheck.buffer(GradCheck.random(rng, b * t * 3 * c, 1));
        NativeBuffer att = new NativeBuffer(b * nh * t * t), attD = new NativeBuffer(b * nh * t * t);
        NativeBuffer y = new NativeBuffer(b * t * c);
        float[] r = GradCheck.random(rng, b * t * c, 1);
        Rng dropRng = new Rng(7);
        java.util.function.DoubleSupplier f = () -> {
            dropRng.setState(7); // the same dropout mask for every evaluation
            Attention.forward(y, 0, att, attD, 0, qkv, 0, b, t, c, nh, p, dropRng);
            return GradCheck.weighted(y, 0, r);
        };
        f.getAsDouble();
        // Causality: row 0 of each head attends only to itself.
        assertEquals(1f, att.get(0), 1e-6);
        assertEquals(0f, att.get(1), 0f);
        NativeBuffer dqkv = new NativeBuffer(b * t * 3 * c), dP = new NativeBuffer(t * t);
        Attention.backward(dqkv, 0, GradCheck.buffer(r), 0, dP, att, attD, 0, qkv, 0, b, t, c, nh, p);
        GradCheck.check(
                "attention qkv (dropout " + p + ")", qkv, 0, GradCheck.read(dqkv, 0, b * t * 3 * c), f, 1e-2, 1000);
    }

    @Test
    void packedAttention() {
        checkPackedAttention(0f);
        checkPackedAttention(0.3f);
    }

    /** Two rows of 7 holding examples of 3+4 and 5+2 tokens: attention must stay inside each example. */
    private void checkPackedAttention(float p) {
        int b = 2, t = 7, c = 8, nh = 2;
        int[] pos = {0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3, 4, 0, 1};
        NativeBuffer qkv = GradCheck.buffer(GradCheck.random(rng, b * t * 3 * c, 1));
        NativeBuffer att = new NativeBuffer(b * nh * t * t), attD = new NativeBuffer(b * nh * t * t);
        NativeBuffer y = new NativeBuffer(b * t * c);
        float[] r = GradCheck.random(rng, b * t * c, 1);
        Rng dropRng = new Rng(7);
        java.util.function.DoubleSupplier f = () -> {
            dropRng.setState(7);
            Attention.forwardPacked(y, 0, att, attD, 0, qkv, 0, pos, 0, b, t, c, nh, p, dropRng);
            return GradCheck.weighted(y, 0, r);
        };
        f.getAsDouble();
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nh; h++) {
                for (int i = 0; i < t; i++) {
                    int lo = i - pos[bi * t + i];
                    double rowSum = 0;
                    for (int j = 0; j < t; j++) {
                        float a = att.get(((bi * nh + h) * t + i) * t + j);
                        if (j < lo || j > i)
                            assertEquals(0f, a, 0f, "row " + i + " attends to column " + j + " of another example");
                        rowSum += a;
                    }
                    assertEquals(1.0, rowSum, 1e-5);
                }
            }
        }
        NativeBuffer dqkv = new NativeBuffer(b * t * 3 * c), dP = new NativeBuffer(t * t);
        Attention.backwardPacked(dqkv, 0, GradCheck.buffer(r), 0, dP, att, attD, 0, qkv, 0, pos, 0, b, t, c, nh, p);
        GradCheck.check(
                "packed attention qkv (dropout " + p + ")",
                qkv,
                0,
                GradCheck.read(dqkv, 0, b * t * 3 * c),
                f,
                1e-2,
                1000);
    }

    @Test
    void packedEmbedding() {
        int b = 2, t = 3, c = 5, v = 4;
        int[] idx = {0, 3, 3, 1, 0, 2};
        int[] pos = {0, 0, 1, 0, 1, 2};
        NativeBuffer wte = GradCheck.buffer(GradCheck.random(rng, v * c, 1));
        NativeBuffer wpe = GradCheck.buffer(GradCheck.random(rng, t * c, 1));
        NativeBuffer out = new NativeBuffer(b * t * c);
        float[] r = GradCheck.random(rng, b * t * c, 1);
        NativeBuffer dwte = new NativeBuffer(v * c), dwpe = new NativeBuffer(t * c);
        Embedding.backwardPacked(dwte, 0, dwpe, 0, GradCheck.buffer(r), 0, idx, pos, 0, b, t, c);
        java.util.function.DoubleSupplier f = () -> {
            Embedding.forwardPacked(out, 0, wte, 0, wpe, 0, idx, pos, 0, b, t, c, v);
            return GradCheck.weighted(out, 0, r);
        };
        f.getAsDouble();
        // The second token of row 0 starts an example: it gets wpe[0], not wpe[1].
        assertEquals(wte.get(3 * c) + wpe.get(0), out.get(c), 1e-6);
        GradCheck.check("packed embedding wte", wte, 0, GradCheck.read(dwte, 0, v * c), f, 1e-2, 1000);
        GradCheck.check("packed embedding wpe", wpe, 0, GradCheck.read(dwpe, 0, t * c), f, 1e-2, 1000);
    }

    @Test
    void gelu() {
        int n = 37;
        NativeBuffer x = GradCheck.buffer(GradCheck.random(rng, n, 2));
        NativeBuffer out = new NativeBuffer(n);
        float[] r = GradCheck.random(rng, n, 1);
        java.util.function.DoubleSupplier f = () -> {
            Gelu.forward(out, 0, x, 0, n);
            return GradCheck.weighted(out, 0, r);
        };
        f.getAsDouble();
        // Reference value: gelu(1) with the tanh form is 0.841192.
        NativeBuffer one = GradCheck.buffer(new float[] {1f}), o1 = new NativeBuffer(1);
        Gelu.forward(o1, 0, one, 0, 1);
        assertEquals(0.841192, o1.get(0), 1e-5);
        NativeBuffer dx = new NativeBuffer(n);
        Gelu.backward(dx, 0, x, 0, GradCheck.buffer(r), 0, n);
        GradCheck.check("gelu", x, 0, GradCheck.read(dx, 0, n), f, 1e-3, 1000);
    }

    @Test
    void residual() {
        int n = 21;
        NativeBuffer a = GradCheck.buffer(GradCheck.random(rng, n, 1));
        NativeBuffer bb = GradCheck.buffer(GradCheck.random(rng, n, 1));
        NativeBuffer out = new NativeBuffer(n);
        float[] r = GradCheck.random(rng, n, 1);
        java.util.function.DoubleSupplier f = () -> {
            Kernels.add(a.bb, 0, bb.bb, 0, out.bb, 0, n);
            return GradCheck.weighted(out, 0, r);
        };
        // The residual's backward is the identity into both branches (Gpt.backward passes dres through).
        GradCheck.check("residual a", a, 0, r, f, 1e-2, 1000);
        GradCheck.check("residual b", bb, 0, r, f, 1e-2, 1000);
    }

    @Test
    void softmaxCrossEntropyWithMask() {
        int rows = 6, v = 23;
        NativeBuffer logits = GradCheck.buffer(GradCheck.random(rng, rows * v, 2));
        NativeBuffer probs = new NativeBuffer(rows * v);
        int[] targets = {3, 0, 22, 7, 7, 11};
        float[] mask = {1, 0, 1, 1, 0, 1};
        float count = 4;
        java.util.function.DoubleSupplier f =
                () -> CrossEntropy.forward(probs, 0, logits, 0, targets, mask, 0, rows, v) / count;
        double loss = f.getAsDouble();
        // Masked rows contribute nothing: the loss equals the mean over rows 0, 2, 3 and 5 alone.
        double manual = 0;
        for (int r : new int[] {0, 2, 3, 5}) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int i = 0; i < v; i++) max = Math.max(max, logits.get(r * v + i));
            for (int i = 0; i < v; i++) z += Math.exp(logits.get(r * v + i) - max);
            manual += -(logits.get(r * v + targets[r]) - max - Math.log(z));
        }
        assertEquals(manual / 4, loss, 1e-5);
        CrossEntropy.backward(probs, 0, targets, mask, 0, rows, v, 1f / count);
        float[] d = GradCheck.read(probs, 0, rows * v);
        for (int i = 0; i < v; i++) assertEquals(0f, d[v + i], 0f, "masked row has no gradient");
        GradCheck.check("softmax cross-entropy", logits, 0, d, f, 1e-2, 1000);
    }
}
