package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Several examples in one row: each is computed as if it ran alone, and the packer never cuts one. */
class PackingTest {
    private static final GptConfig CFG = new GptConfig(23, 16, 2, 2, 16, 0f);

    private static Gpt model() {
        Gpt g = new Gpt(CFG, 2, 5, 1);
        Rng rng = new Rng(8);
        float[] w = g.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.2); // sharper than the init
        g.loadWeights(w);
        g.setTraining(false);
        return g;
    }

    @Test
    void secondExampleOfAPackedRowHasTheLogitsItHasAlone() {
        Rng rng = new Rng(3);
        int[] first = Fixtures.randomTokens(rng, 6, CFG.vocabSize()),
                second = Fixtures.randomTokens(rng, 7, CFG.vocabSize());
        int t = 16, v = CFG.vocabSize();
        int[] row = new int[t], pos = new int[t];
        System.arraycopy(first, 0, row, 0, 6);
        System.arraycopy(second, 0, row, 6, 7);
        for (int i = 0; i < t; i++) pos[i] = i < 6 ? i : i < 13 ? i - 6 : i - 13; // 3 padding positions at the end

        Gpt packed = model(), alone = model();
        packed.forwardPacked(row, null, null, pos, 1, t);
        alone.forward(second, null, null, 1, 7);
        for (int i = 0; i < 7; i++) {
            float[] a = alone.logits(0, i, null), p = packed.logits(0, 6 + i, null);
            for (int k = 0; k < v; k++) assertEquals(a[k], p[k], 1e-5f, "position " + i + " logit " + k);
        }
        // Changing every token of example 1 leaves example 2 exactly where it was.
        float[] before = packed.logits(0, 12, null);
        for (int i = 0; i < 6; i++) row[i] = (row[i] + 5) % v;
        packed.forwardPacked(row, null, null, pos, 1, t);
        assertArrayEquals(before, packed.logits(0, 12, null));

        // Control: the same row with plain causal attention does see example 1 (so the check above means something).
        Gpt plain = model();
        plain.forward(row, null, null, 1, t);
        float[] crossed = plain.logits(0, 12, null);
        double diff = 0;
        for (int k = 0; k < v; k++) diff += Math.abs(crossed[k] - before[k]);
        assertTrue(diff > 1e-2, "plain attention over the packed row should differ, diff " + diff);
    }

    @Test
    void gradientOfAPackedRowIsTheSumOfItsExamplesAlone() {
        Rng rng = new Rng(4);
        int[] a = Fixtures.randomTokens(rng, 9, CFG.vocabSize()), b = Fixtures.randomTokens(rng, 8, CFG.vocabSize());
        // Row of 16: a fills positions 0..7 (9 tokens), b positions 8..14 (8 tokens), one padding position.
        List<int[]> ids = List.of(a, b);
        boolean[] ma = new boolean[9], mb = new boolean[8];
        for (int i = 5; i < 9; i++) ma[i] = true;
        for (int i = 3; i < 8; i++) mb[i] = true;
        PackedExamples packer = new PackedExamples(ids, List.of(ma, mb), 16, 0, 1, false);
        int[] in = new int[16], tg = new int[16], pos = new int[16];
        float[] mask = new float[16];
        packer.next(in, tg, mask, pos, 1, 16);
        assertEquals(1, packer.rowsPerEpoch());

        Gpt packed = model();
        packed.zeroGrad();
        float loss = packed.forwardPacked(in, tg, mask, pos, 1, 16);
        packed.backward(1f);
        float[] gPacked = packed.copyGradients();

        // Alone: each example's summed loss gradient (backward divides by the mask count, so scale back).
        Gpt alone = model();
        alone.zeroGrad();
        double sum = 0;
        for (int e = 0; e < 2; e++) {
            int[] x = ids.get(e);
            boolean[] m = e == 0 ? ma : mb;
            int n = x.length - 1;
            int[] xin = new int[n], xtg = new int[n];
            float[] xm = new float[n];
            float count = 0;
            for (int i = 0; i < n; i++) {
                xin[i] = x[i];
                xtg[i] = x[i + 1];
                xm[i] = m[i + 1] ? 1f : 0f;
                count += xm[i];
            }
            sum += alone.forward(xin, xtg, xm, 1, n) * count;
            alone.backward(count / 9f); // 4 + 5 counted targets in the packed row
        }
        assertEquals(sum / 9, loss, 1e-5);
        float[] gAlone = alone.copyGradients();
        for (int i = 0; i < gAlone.length; i++)
            assertEquals(gAlone[i], gPacked[i], 1e-5f + 1e-3f * Math.abs(gAlone[i]), "grad " + i);
    }

    @Test
    void packerFillsRowsWithWholeExamplesAndResumesExactly() {
        Rng rng = new Rng(6);
        List<int[]> ids = new ArrayList<>();
        List<boolean[]> masks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = 2 + rng.nextInt(16); // up to 17 tokens = 16 positions, a whole row
            int[] x = new int[n];
            x[0] = 1;
            for (int j = 1; j < n; j++) x[j] = 2 + i % 20; // the example's number is in its tokens
            boolean[] m = new boolean[n];
            for (int j = n / 2; j < n; j++) m[j] = true;
            ids.add(x);
            masks.add(m);
        }
        int t = 16, b = 3;
        PackedExamples p = new PackedExamples(ids, masks, t, 0, 42, true);
        int rows = p.rowsPerEpoch();
        long used = ids.stream().mapToLong(x -> x.length - 1).sum();
        assertTrue(rows * t >= used && p.fill() > 0.8, "first-fit packs densely: " + p);
        int[] in = new int[b * t], tg = new int[b * t], pos = new int[b * t];
        float[] mask = new float[b * t];
        Set<Integer> starts = new HashSet<>();
        int examples = 0;
        for (int step = 0; step * b < rows; step++) {
            p.next(in, tg, mask, pos, b, t);
            for (int i = 0; i < b * t; i++) {
                if (pos[i] == 0 && tg[i] != 0) {
                    examples++;
                    // An example's tokens after its start all carry its number, up to its own end.
                    int k = i + 1;
                    while (k < (i / t + 1) * t && pos[k] != 0) {
                        assertEquals(tg[i], tg[k], "example cut or mixed at " + k);
                        k++;
                    }
                    starts.add(i);
                }
                if (tg[i] == 0) assertEquals(0f, mask[i], "padding never counts");
            }
            if ((step + 1) * b >= rows) break;
        }
        assertTrue(examples >= 40, "every example served in the first epoch's rows: " + examples);

        // Resume: a packer sought to another's position continues with the same batches.
        PackedExamples q = new PackedExamples(ids, masks, t, 0, 42, true);
        q.seek(p.position());
        int[] in2 = new int[b * t], tg2 = new int[b * t], pos2 = new int[b * t];
        float[] mask2 = new float[b * t];
        for (int i = 0; i < 5; i++) {
            p.next(in, tg, mask, pos, b, t);
            q.next(in2, tg2, mask2, pos2, b, t);
            assertArrayEquals(in, in2);
            assertArrayEquals(pos, pos2);
            assertArrayEquals(mask, mask2);
        }
        assertTrue(p.epoch() >= 1);
    }

    @Test
    void anExampleLongerThanARowIsRefusedNotCut() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new PackedExamples(List.of(new int[18]), List.of(new boolean[18]), 16, 0, 1, true));
        assertTrue(e.getMessage().contains("18 tokens"), e.getMessage());
    }

    @Test
    void positionsThatDoNotRestartAtZeroAreRefused() {
        Gpt g = model();
        int[] in = new int[8];
        int[] bad = {0, 1, 2, 4, 5, 6, 7, 8};
        assertThrows(IllegalArgumentException.class, () -> g.forwardPacked(in, null, null, bad, 1, 8));
        int[] noStart = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThrows(IllegalArgumentException.class, () -> g.forwardPacked(in, null, null, noStart, 1, 8));
    }
}
