package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scratchlm.gpt.Fixtures.PatternSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingTest {

    @Test
    void overfitsOneBatchToNearZeroLoss() {
        GptConfig cfg = Fixtures.tiny();
        Rng rng = new Rng(1);
        int b = 4, t = 16;
        int[] in = Fixtures.randomTokens(rng, b * t, cfg.vocabSize());
        int[] tg = Fixtures.randomTokens(rng, b * t, cfg.vocabSize());
        BatchSource same = (inputs, targets, mask, bb, tt) -> {
            System.arraycopy(in, 0, inputs, 0, in.length);
            System.arraycopy(tg, 0, targets, 0, tg.length);
            return false;
        };
        Trainer tr = new Trainer(
                cfg,
                new TrainerConfig(b, t, 1, LrSchedule.constant(1e-2f), new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0f), 1f),
                7);
        float first = tr.step(same), loss = first;
        for (int i = 0; i < 300; i++) loss = tr.step(same);
        assertTrue(first > 2.5, "random targets start near ln(16): " + first);
        assertTrue(loss < 0.05, "one batch of random targets should be memorized, loss " + loss);
    }

    @Test
    void sameSeedGivesBitIdenticalLosses() {
        GptConfig cfg = new GptConfig(16, 16, 2, 2, 32, 0.1f);
        float[] a = run(cfg, 11, 15), b = run(cfg, 11, 15), c = run(cfg, 12, 15);
        assertArrayEquals(a, b);
        assertNotEquals(a[14], c[14]);
    }

    private static float[] run(GptConfig cfg, long seed, int steps) {
        Trainer tr = new Trainer(cfg, Fixtures.trainer(4, 16, 2, 3e-3f), seed);
        PatternSource src = new PatternSource(seed, cfg.vocabSize(), false);
        float[] losses = new float[steps];
        for (int i = 0; i < steps; i++) losses[i] = tr.step(src);
        return losses;
    }

    /** Stop after k steps, checkpoint to bytes, load into fresh objects, continue: same trajectory. */
    @Test
    void resumeFromCheckpointContinuesTheSameLossTrajectory() throws Exception {
        GptConfig cfg = new GptConfig(16, 16, 2, 2, 32, 0.1f); // dropout: the RNG state must resume too
        int n = 12, k = 5;
        TrainerConfig tc = Fixtures.trainer(4, 16, 2, 3e-3f);
        Trainer straight = new Trainer(cfg, tc, 3);
        PatternSource src = new PatternSource(9, cfg.vocabSize(), true);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = straight.step(src);

        Trainer first = new Trainer(cfg, tc, 3);
        PatternSource src1 = new PatternSource(9, cfg.vocabSize(), true);
        float[] got = new float[n];
        for (int i = 0; i < k; i++) got[i] = first.step(src1);
        byte[] bytes = first.checkpoint(
                        "byte-256",
                        src1.rng.state(),
                        java.util.Map.of("parent", "none"),
                        java.util.Map.of("loss", (double) got[k - 1]))
                .toBytes();

        Checkpoint ck = Checkpoint.fromBytes(bytes);
        Trainer resumed = Trainer.resume(ck);
        PatternSource src2 = new PatternSource(0, cfg.vocabSize(), true);
        src2.rng.setState(ck.dataPosition());
        assertEquals(k, resumed.stepCount());
        for (int i = k; i < n; i++) got[i] = resumed.step(src2);
        assertArrayEquals(expected, got);
    }

    /**
     * The losses do not depend on what the JIT has compiled so far: this JVM with its kernels compiled by C2
     * and a child JVM limited to C1 (which runs the Vector API's Java fallbacks, like the interpreter) train
     * bit for bit alike. A job resumed in a warm JVM runs compiled code where the first run ran cold, so
     * this is what lets it continue the same trajectory. (With the Vector API's own exp or tanh it fails:
     * C2 calls SVML for them, the fallback Math.exp.)
     */
    @Test
    void trainingGivesTheSameBitsWhateverTheJitHasCompiled() throws Exception {
        for (int i = 0; i < 25; i++) JitStageRun.run(100 + i); // C2 compiles the kernels meanwhile
        String compiled = JitStageRun.run(3);
        Path log = Files.createTempFile("jit-stage-run", ".txt");
        try {
            String javaBin =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(
                            javaBin,
                            "--add-modules=jdk.incubator.vector",
                            "-XX:TieredStopAtLevel=1",
                            "-Xmx512m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            JitStageRun.class.getName(),
                            "3")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the C1-only run did not finish: " + Files.readString(log));
            }
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), out);
            String c1 = out.lines()
                    .filter(l -> l.startsWith("run: "))
                    .map(l -> l.substring(5))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no result from the C1-only run: " + out));
            assertEquals(compiled, c1, "loss bits and weight hash, C2-compiled (expected) vs C1 only (actual)");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void gradientAccumulationMatchesOneLargeBatch() {
        GptConfig cfg = Fixtures.tiny();
        Rng rng = new Rng(4);
        int t = 16;
        int[] in = Fixtures.randomTokens(rng, 4 * t, cfg.vocabSize()),
                tg = Fixtures.randomTokens(rng, 4 * t, cfg.vocabSize());
        Gpt big = new Gpt(cfg, 4, 1), small = new Gpt(cfg, 2, 1);
        big.zeroGrad();
        big.forward(in, tg, null, 4, t);
        big.backward(1f);
        small.zeroGrad();
        for (int half = 0; half < 2; half++) {
            int[] i2 = java.util.Arrays.copyOfRange(in, half * 2 * t, (half + 1) * 2 * t);
            int[] t2 = java.util.Arrays.copyOfRange(tg, half * 2 * t, (half + 1) * 2 * t);
            small.forward(i2, t2, null, 2, t);
            small.backward(0.5f);
        }
        float[] g1 = big.copyGradients(), g2 = small.copyGradients();
        for (int i = 0; i < g1.length; i++) assertEquals(g1[i], g2[i], 1e-5 + 1e-3 * Math.abs(g1[i]), "gradient " + i);
    }

    @Test
    void maskedPositionsDoNotAffectLossOrGradients() {
        GptConfig cfg = Fixtures.tiny();
        Rng rng = new Rng(8);
        int b = 2, t = 16;
        int[] in = Fixtures.randomTokens(rng, b * t, cfg.vocabSize()),
                tg = Fixtures.randomTokens(rng, b * t, cfg.vocabSize());
        float[] mask = new float[b * t];
        for (int i = 0; i < mask.length; i++) mask[i] = i % 4 == 0 ? 1f : 0f;
        Gpt m = new Gpt(cfg, b, 2);
        m.zeroGrad();
        float l1 = m.forward(in, tg, mask, b, t);
        m.backward(1f);
        float[] g1 = m.copyGradients();
        int[] tg2 = tg.clone();
        for (int i = 0; i < tg2.length; i++) if (mask[i] == 0f) tg2[i] = (tg2[i] + 5) % cfg.vocabSize();
        m.zeroGrad();
        float l2 = m.forward(in, tg2, mask, b, t);
        m.backward(1f);
        assertEquals(l1, l2, 0f);
        assertArrayEquals(g1, m.copyGradients());
        float full = m.forward(in, tg2, null, b, t);
        assertNotEquals(l1, full);
    }

    @Test
    void weightDecayOnlyTouchesMatrices() {
        GptConfig cfg = Fixtures.tiny();
        Gpt m = new Gpt(cfg, 1, 5);
        // Give biases and LayerNorm parameters non-trivial values so a wrong decay would show.
        float[] w = m.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += 0.5f;
        m.loadWeights(w);
        m.zeroGrad(); // zero gradients: Adam's step is 0, only decay moves the weights
        AdamW opt = new AdamW(m, new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0.1f));
        opt.update(0.5f, 1f);
        float[] after = m.copyWeights();
        for (TensorInfo t : m.parameterTable()) {
            int i = (int) t.offset();
            float expected = t.decayed() ? w[i] * (1f - 0.5f * 0.1f) : w[i];
            assertEquals(expected, after[i], 1e-6, t.name());
        }
        assertTrue(m.parameterTable().stream()
                .filter(TensorInfo::decayed)
                .anyMatch(t -> t.name().equals("wte")));
        assertTrue(m.parameterTable().stream()
                .filter(TensorInfo::decayed)
                .anyMatch(t -> t.name().equals("wpe")));
    }

    @Test
    void learningRateWarmsUpThenFollowsCosineToTheMinimum() {
        LrSchedule s = new LrSchedule(1e-3f, 1e-4f, 100, 2000);
        assertEquals(1e-3 / 101, s.lr(0), 1e-9);
        assertEquals(1e-3 * 100 / 101, s.lr(99), 1e-9);
        assertEquals(1e-3, s.lr(100), 1e-9);
        assertEquals((1e-3 + 1e-4) / 2, s.lr(1050), 1e-7);
        assertEquals(1e-4, s.lr(2000), 1e-9);
        assertEquals(1e-4, s.lr(5000), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3f, 1e-2f, 0, 10));
    }

    @Test
    void clippingCapsTheGradientNormAndReportsTheRawNorm() {
        GptConfig cfg = Fixtures.tiny();
        TrainerConfig tc = new TrainerConfig(2, 16, 1, LrSchedule.constant(1e-3f), AdamW.Settings.nanoGpt(), 1e-3f);
        Trainer tr = new Trainer(cfg, tc, 1);
        tr.step(new PatternSource(1, 16, false));
        float[] g = tr.model().copyGradients();
        double sq = 0;
        for (float x : g) sq += (double) x * x;
        assertEquals(Math.sqrt(sq), tr.lastGradNorm(), 1e-4 * Math.sqrt(sq));
        assertTrue(tr.lastGradNorm() > 1e-3, "the test needs a norm above the clip");
        // The optimizer saw the clipped gradient: after one step its first moment is (1 - beta1) * g * 1e-3 / norm.
        float[] m = tr.optimizer().copyM();
        double scale = (1 - AdamW.Settings.nanoGpt().beta1()) * 1e-3 / tr.lastGradNorm();
        double mSq = 0;
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i] * scale, m[i], 1e-3 * Math.abs(g[i] * scale) + 1e-12, "first moment of parameter " + i);
            mSq += (double) m[i] * m[i];
        }
        assertEquals(
                (1 - AdamW.Settings.nanoGpt().beta1()) * 1e-3, Math.sqrt(mSq), 1e-6, "the clipped norm is the clip");
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        Gpt m = new Gpt(Fixtures.tiny(), 2, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(new int[] {1, 99}, null, null, 1, 2));
        assertTrue(e.getMessage().contains("token id 99"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.forward(new int[40], null, null, 1, 40));
        assertThrows(IllegalArgumentException.class, () -> m.forward(new int[48], null, null, 3, 16));
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(16, 16, 2, 3, 32, 0f));
        assertThrows(IllegalStateException.class, () -> {
            m.forward(new int[] {1, 2}, null, null, 1, 2);
            m.backward(1f);
        });
    }

    /**
     * Once the JIT has compiled the kernels (interpreted Vector API code boxes every vector), steps
     * allocate nothing on the heap and grow no native memory. Measured in windows of 25 steps until one
     * is clean; a per-step allocation would keep every window above zero.
     */
    @Test
    void trainingStepsDoNotAllocate() {
        // Shapes where every vector loop is hot (in a 16-token toy some run too rarely to be compiled).
        GptConfig cfg = new GptConfig(64, 64, 2, 2, 64, 0f);
        Trainer tr = new Trainer(cfg, Fixtures.trainer(2, 64, 2, 1e-3f), 1);
        PatternSource src = new PatternSource(1, cfg.vocabSize(), true);
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long native0 = org.bytedeco.javacpp.Pointer.totalBytes();
        long best = Long.MAX_VALUE;
        // Bounded by time, not by a count of windows: on a loaded machine the JIT may need many more steps
        // before escape analysis has removed every temporary from the compiled loops.
        long deadline = System.nanoTime() + 120_000_000_000L;
        for (int window = 0; (window < 80 || System.nanoTime() < deadline) && best > 0; window++) {
            long heap0 = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 25; i++) tr.step(src);
            best = Math.min(best, (bean.getCurrentThreadAllocatedBytes() - heap0) / 25);
        }
        assertEquals(0, best, "heap bytes allocated per step in the best window");
        long native1 = org.bytedeco.javacpp.Pointer.totalBytes();
        assertTrue(native1 <= native0, "native bytes grew from " + native0 + " to " + native1);
    }

    @Test
    void learnsTinyShakespeare() throws Exception {
        Path f = TestData.file("tinyshakespeare.txt");
        assumeTrue(f != null, "shared data not present");
        byte[] data = Files.readAllBytes(f);
        GptConfig cfg = new GptConfig(256, 32, 2, 2, 64, 0f);
        Trainer tr = new Trainer(
                cfg,
                new TrainerConfig(16, 32, 1, new LrSchedule(1e-2f, 1e-3f, 20, 400), AdamW.Settings.nanoGpt(), 1f),
                1);
        Rng rng = new Rng(2);
        BatchSource src = (in, tg, mask, b, t) -> {
            for (int i = 0; i < b; i++) {
                int s = rng.nextInt(data.length - t - 1);
                for (int j = 0; j < t; j++) {
                    in[i * t + j] = data[s + j] & 0xff;
                    tg[i * t + j] = data[s + j + 1] & 0xff;
                }
            }
            return false;
        };
        float first = tr.evaluate(src, 8);
        for (int i = 0; i < 400; i++) tr.step(src);
        float last = tr.evaluate(src, 8);
        assertTrue(first > 5.0, "untrained loss near ln(256): " + first);
        // Character frequencies alone give about 3.3; below 2.6 the model uses context.
        assertTrue(last < 2.6, "400 steps should learn more than character frequencies: " + last);
    }
}
