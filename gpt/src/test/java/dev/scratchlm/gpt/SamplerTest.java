package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1 (token 2 is the most likely).
    private final float[] logits = {
        (float) Math.log(0.3), (float) Math.log(0.05), (float) Math.log(0.5), (float) Math.log(0.15)
    };

    private int[] draw(Sampler s, int n) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < n; i++) counts[s.sample(logits).token()]++;
        return counts;
    }

    @Test
    void sameSeedSameTokens() {
        Sampler.Settings st = new Sampler.Settings(1f, 0, 1f, 2);
        Sampler a = new Sampler(st, 42), b = new Sampler(st, 42), c = new Sampler(st, 43);
        StringBuilder sa = new StringBuilder(), sb = new StringBuilder(), sc = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sa.append(a.sample(logits).token());
            sb.append(b.sample(logits).token());
            sc.append(c.sample(logits).token());
        }
        assertEquals(sa.toString(), sb.toString());
        assertNotEquals(sa.toString(), sc.toString());
    }

    @Test
    void reportsModelProbabilitiesAndTopAlternatives() {
        TokenChoice c = new Sampler(Sampler.Settings.greedy(), 1).sample(logits);
        assertEquals(2, c.token());
        assertEquals(0.5, c.prob(), 1e-6);
        assertEquals(Math.log(0.5), c.logprob(), 1e-6);
        assertEquals(4, c.alternatives().size());
        int[] order = c.alternatives().stream()
                .mapToInt(TokenChoice.Alternative::token)
                .toArray();
        assertEquals("[2, 0, 3, 1]", java.util.Arrays.toString(order));
        assertEquals(0.3, c.alternatives().get(1).prob(), 1e-6);
        // With top-k 1 and a high temperature the report still shows the model's own probabilities.
        TokenChoice hot = new Sampler(new Sampler.Settings(5f, 1, 1f, 1), 1).sample(logits);
        assertEquals(2, hot.token());
        assertEquals(0.5, hot.prob(), 1e-6);
    }

    @Test
    void samplingFrequenciesFollowTheDistribution() {
        int n = 20000;
        int[] counts = draw(new Sampler(new Sampler.Settings(1f, 0, 1f, 0), 7), n);
        double[] p = {0.3, 0.05, 0.5, 0.15};
        for (int i = 0; i < 4; i++) assertEquals(p[i], counts[i] / (double) n, 0.015, "token " + i);
    }

    @Test
    void topKAndTopPTruncate() {
        int n = 5000;
        int[] k2 = draw(new Sampler(new Sampler.Settings(1f, 2, 1f, 0), 3), n);
        assertEquals(0, k2[1] + k2[3], "top-2 keeps tokens 2 and 0 only");
        assertEquals(0.5 / 0.8, k2[2] / (double) n, 0.03);
        int[] p7 = draw(new Sampler(new Sampler.Settings(1f, 0, 0.7f, 0), 3), n);
        assertEquals(0, p7[1] + p7[3], "top-p 0.7 keeps 0.5 + 0.3");
        int[] p5 = draw(new Sampler(new Sampler.Settings(1f, 0, 0.5f, 0), 3), n);
        assertEquals(n, p5[2], "top-p 0.5 keeps only the most likely token");
    }

    @Test
    void temperatureSharpensAndFlattens() {
        int n = 5000;
        int[] cold = draw(new Sampler(new Sampler.Settings(0.25f, 0, 1f, 0), 5), n);
        int[] hot = draw(new Sampler(new Sampler.Settings(4f, 0, 1f, 0), 5), n);
        // Temperature T turns p into p^(1/T), renormalized.
        double[] p = {0.3, 0.05, 0.5, 0.15};
        double zc = 0, zh = 0;
        for (double x : p) {
            zc += Math.pow(x, 4);
            zh += Math.pow(x, 0.25);
        }
        assertEquals(Math.pow(0.5, 4) / zc, cold[2] / (double) n, 0.02, "cold: the likely token dominates");
        assertEquals(Math.pow(0.05, 0.25) / zh, hot[1] / (double) n, 0.02, "hot: the unlikely token is lifted");
    }

    @Test
    void partialSelectionAgreesWithAFullSortOnALargeVocabulary() {
        Rng rng = new Rng(3);
        float[] big = new float[5000];
        for (int i = 0; i < big.length; i++) big[i] = (float) rng.nextGaussian() * 3;
        big[17] = big[4000]; // a tie
        // Greedy: the argmax; top-k 40 with 10 alternatives: the 10 best in order.
        TokenChoice g = new Sampler(new Sampler.Settings(0f, 0, 1f, 10), 1).sample(big);
        TokenChoice k = new Sampler(new Sampler.Settings(1f, 40, 1f, 10), 1).sample(big);
        Integer[] ids = new Integer[big.length];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        java.util.Arrays.sort(
                ids,
                (a, b) -> a.equals(b) ? 0 : big[a] != big[b] ? Float.compare(big[b], big[a]) : Integer.compare(a, b));
        assertEquals(ids[0], g.token());
        for (int r = 0; r < 10; r++) {
            assertEquals(ids[r], g.alternatives().get(r).token());
            assertEquals(ids[r], k.alternatives().get(r).token());
        }
        java.util.Set<Integer> top40 =
                new java.util.HashSet<>(java.util.Arrays.asList(ids).subList(0, 40));
        Sampler s = new Sampler(new Sampler.Settings(2f, 40, 1f, 0), 9);
        for (int i = 0; i < 500; i++) assertTrue(top40.contains(s.sample(big).token()));
        double z = 0;
        for (float x : big) z += Math.exp(x);
        assertEquals(Math.exp(big[g.token()]) / z, g.prob(), 1e-5);
    }

    @Test
    void topPAloneKeepsExactlyTheNucleusOfALargeVocabulary() {
        // Peaked logits (the nucleus is a few dozen tokens) and flat ones (it is most of the vocabulary).
        for (float spread : new float[] {1.5f, 0.1f}) {
            Rng rng = new Rng(4);
            float[] big = new float[5000];
            for (int i = 0; i < big.length; i++) big[i] = (float) rng.nextGaussian() * spread;
            Integer[] ids = new Integer[big.length];
            for (int i = 0; i < ids.length; i++) ids[i] = i;
            java.util.Arrays.sort(
                    ids, (a, b) -> big[a] != big[b] ? Float.compare(big[b], big[a]) : Integer.compare(a, b));
            double z = 0;
            for (float x : big) z += Math.exp(x);
            java.util.Map<Integer, Integer> rankOf = new java.util.HashMap<>();
            double cum = 0;
            for (int r = 0; cum < 0.6 * z; r++) {
                cum += Math.exp(big[ids[r]]);
                rankOf.put(ids[r], r);
            }
            Sampler s = new Sampler(new Sampler.Settings(1f, 0, 0.6f, 0), 11);
            int deepest = 0;
            for (int i = 0; i < 2000; i++) {
                Integer r = rankOf.get(s.sample(big).token());
                assertTrue(r != null, "sampled a token outside the top-p 0.6 nucleus (spread " + spread + ")");
                deepest = Math.max(deepest, r);
            }
            // The draw reaches into the nucleus' tail, not only the first ranks a partial selection holds.
            assertTrue(
                    deepest >= (rankOf.size() - 1) * 3 / 4 && rankOf.size() > 20,
                    "deepest rank " + deepest + " of " + rankOf.size() + " (spread " + spread + ")");
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Settings(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Settings(1f, -1, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Settings(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Settings(1f, 0, 1.5f, 0));
        Sampler s = new Sampler(Sampler.Settings.greedy(), 1);
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {1f, Float.NaN}));
    }
}
