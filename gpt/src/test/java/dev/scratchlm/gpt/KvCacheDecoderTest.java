package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KvCacheDecoderTest {
    // Width 64 with 4 heads and 2 layers: big enough for vector loops and a non-trivial cache layout.
    private final GptConfig cfg = new GptConfig(40, 24, 2, 4, 64, 0f);

    private Gpt trainedLikeModel() {
        Gpt m = new Gpt(cfg, 3, 11);
        // Larger random weights than the init so attention patterns are far from uniform.
        Rng rng = new Rng(12);
        float[] w = m.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.1);
        m.loadWeights(w);
        m.setTraining(false);
        return m;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        float worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst < 1e-4f, what + ": max |diff| " + worst);
    }

    @Test
    void cachedLogitsEqualTheFullForward() {
        Gpt m = trainedLikeModel();
        int[] seq = Fixtures.randomTokens(new Rng(5), cfg.blockSize(), cfg.vocabSize());
        m.forward(seq, null, null, 1, seq.length);
        float[][] full = new float[seq.length][];
        for (int t = 0; t < seq.length; t++) full[t] = m.logits(0, t, null);

        KvCacheDecoder dec = new KvCacheDecoder(m, 2);
        int prompt = 7;
        float[] afterPrompt = dec.prefill(1, java.util.Arrays.copyOf(seq, prompt));
        assertClose(full[prompt - 1], afterPrompt, "prefill");
        for (int t = prompt; t < seq.length; t++) {
            assertClose(full[t], dec.decode(1, seq[t]), "decode at " + t);
        }
        assertEquals(seq.length, dec.length(1));
        assertEquals(0, dec.length(0));
    }

    @Test
    void batchedDecodeAdvancesIndependentSequencesAtDifferentPositions() {
        Gpt m = trainedLikeModel();
        Rng rng = new Rng(9);
        int n = 3, steps = 6;
        int[] promptLen = {2, 9, 5};
        int[][] seqs = new int[n][];
        for (int s = 0; s < n; s++) seqs[s] = Fixtures.randomTokens(rng, promptLen[s] + steps, cfg.vocabSize());

        KvCacheDecoder batched = new KvCacheDecoder(m, 4);
        int[] slots = {3, 0, 2}; // any free slots, not in order
        for (int s = 0; s < n; s++) batched.prefill(slots[s], java.util.Arrays.copyOf(seqs[s], promptLen[s]));
        float[][] out = null;
        for (int k = 0; k < steps; k++) {
            int[] toks = new int[n];
            for (int s = 0; s < n; s++) toks[s] = seqs[s][promptLen[s] + k];
            out = batched.decode(slots, toks, out);
            for (int s = 0; s < n; s++) {
                // Reference: the full forward of this sequence alone.
                int len = promptLen[s] + k + 1;
                m.forward(java.util.Arrays.copyOf(seqs[s], len), null, null, 1, len);
                assertClose(m.logits(0, len - 1, null), out[s], "sequence " + s + " step " + k);
            }
        }
    }

    @Test
    void promptsPrefilledTogetherGiveEachSequenceItsOwnForward() {
        // Three prompts of different lengths in one pass, on one thread and on two; one slot already holds a
        // sequence that the pass extends. Each prompt's last row gives its logits, and decoding goes on from there.
        Gpt m = trainedLikeModel();
        Rng rng = new Rng(31);
        for (int threads : new int[] {1, 2}) {
            KvCacheDecoder dec = new KvCacheDecoder(m, 4, threads);
            int[] earlier = Fixtures.randomTokens(rng, 3, cfg.vocabSize());
            dec.prefill(2, earlier);
            int[] slots = {1, 2, 0};
            int[][] prompts = {
                Fixtures.randomTokens(rng, 5, cfg.vocabSize()),
                Fixtures.randomTokens(rng, 1, cfg.vocabSize()),
                Fixtures.randomTokens(rng, 9, cfg.vocabSize())
            };
            float[][] out = dec.prefill(slots, prompts, null);
            int[][] whole = {prompts[0], concat(earlier, prompts[1]), prompts[2]};
            for (int i : new int[] {0, 2}) {
                assertClose(
                        new KvCacheDecoder(m, 4, threads).prefill(slots[i], prompts[i]),
                        out[i],
                        threads + " threads, prompt " + i + " alone and together");
            }
            for (int i = 0; i < 3; i++) {
                m.forward(whole[i], null, null, 1, whole[i].length);
                assertClose(m.logits(0, whole[i].length - 1, null), out[i], threads + " threads, prompt " + i);
                assertEquals(whole[i].length, dec.length(slots[i]));
            }
            int[] next = {4, 7, 11};
            out = dec.decode(slots, next, out);
            for (int i = 0; i < 3; i++) {
                int[] seq = concat(whole[i], new int[] {next[i]});
                m.forward(seq, null, null, 1, seq.length);
                assertClose(m.logits(0, seq.length - 1, null), out[i], threads + " threads, decode after prompt " + i);
            }
        }
    }

    @Test
    void aRefusedPrefillLeavesEverySequenceAsItWas() {
        Gpt m = trainedLikeModel();
        KvCacheDecoder dec = new KvCacheDecoder(m, 3);
        dec.prefill(0, new int[] {1, 2});
        int[][] oneBadToken = {{3, 4}, {5, cfg.vocabSize()}};
        assertThrows(IllegalArgumentException.class, () -> dec.prefill(new int[] {0, 1}, oneBadToken, null));
        int[][] tooManyRows = {new int[cfg.blockSize()], new int[cfg.blockSize()]};
        assertThrows(IllegalArgumentException.class, () -> dec.prefill(new int[] {1, 2}, tooManyRows, null));
        assertThrows(IllegalArgumentException.class, () -> dec.prefill(new int[] {1, 1}, new int[][] {{1}, {2}}, null));
        assertEquals(2, dec.length(0));
        assertEquals(0, dec.length(1));
        assertEquals(0, dec.length(2));
        m.forward(new int[] {1, 2, 9}, null, null, 1, 3);
        assertClose(m.logits(0, 2, null), dec.decode(0, 9), "the sequence before the refused prefill goes on");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void fullBatchesOnOneAndOnSeveralThreadsMatchTheFullForward() {
        // 8 sequences (the wide row kernel), 5 (its short form); on one thread, and on two and three that split
        // every product by columns; a vocabulary that is no whole number of vector panels.
        Gpt m = trainedLikeModel();
        Rng rng = new Rng(21);
        for (int threads = 1; threads <= 3; threads++)
            for (int n : new int[] {8, 5}) {
                KvCacheDecoder dec = new KvCacheDecoder(m, 8, threads);
                int[] slots = new int[n];
                int[][] seqs = new int[n][];
                for (int s = 0; s < n; s++) {
                    slots[s] = (s * 3) % 8;
                    seqs[s] = Fixtures.randomTokens(rng, cfg.blockSize(), cfg.vocabSize());
                    dec.prefill(slots[s], java.util.Arrays.copyOf(seqs[s], 1 + s));
                }
                float[][] out = null;
                for (int k = 0; k < 6; k++) {
                    int[] toks = new int[n];
                    for (int s = 0; s < n; s++) toks[s] = seqs[s][1 + s + k];
                    out = dec.decode(slots, toks, out);
                    for (int s = 0; s < n; s++) {
                        int len = 2 + s + k;
                        m.forward(java.util.Arrays.copyOf(seqs[s], len), null, null, 1, len);
                        assertClose(
                                m.logits(0, len - 1, null),
                                out[s],
                                threads + " threads, " + n + " rows, sequence " + s + " step " + k);
                    }
                }
            }
    }

    @Test
    void decodesASnapshotOfTheWeightsUntilRefreshed() {
        Gpt m = trainedLikeModel();
        int[] prompt = {3, 1, 4, 1, 5};
        KvCacheDecoder dec = new KvCacheDecoder(m, 1);
        float[] before = dec.prefill(0, prompt);
        float[] w = m.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] *= 1.5f;
        m.loadWeights(w);
        dec.reset(0);
        assertClose(before, dec.prefill(0, prompt), "weights changed after the snapshot");
        dec.refreshWeights();
        dec.reset(0);
        m.forward(prompt, null, null, 1, prompt.length);
        assertClose(m.logits(0, prompt.length - 1, null), dec.prefill(0, prompt), "after refreshWeights");
    }

    @Test
    void resetSlotStartsAFreshSequence() {
        Gpt m = trainedLikeModel();
        KvCacheDecoder dec = new KvCacheDecoder(m, 1);
        int[] a = {1, 2, 3}, b = {4, 5};
        dec.prefill(0, a);
        dec.reset(0);
        float[] got = dec.prefill(0, b);
        m.forward(b, null, null, 1, 2);
        assertClose(m.logits(0, 1, null), got, "after reset");
    }

    @Test
    void misuseFailsClearly() {
        KvCacheDecoder dec = new KvCacheDecoder(trainedLikeModel(), 2);
        assertThrows(IllegalArgumentException.class, () -> dec.prefill(2, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> dec.prefill(0, new int[] {cfg.vocabSize()}));
        assertThrows(IllegalArgumentException.class, () -> dec.decode(new int[] {0, 0}, new int[] {1, 2}, null));
        dec.prefill(0, new int[cfg.blockSize()]);
        var e = assertThrows(IllegalStateException.class, () -> dec.decode(0, 1));
        assertTrue(e.getMessage().contains("context"), e.getMessage());
    }
}
