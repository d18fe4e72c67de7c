package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of the preference losses, the reward head, and both through the whole model. */
class PreferenceGradientTest {
    private final Rng rng = new Rng(17);
    // Pairs over 5 sequences: 0 beats 1, 2 and 3; 1 beats 3; 4 beats 2 (a sequence in several pairs sums its parts).
    private final int[] better = {0, 0, 0, 1, 4}, worse = {1, 2, 3, 3, 2};

    @Test
    void bradleyTerry() {
        float[] scores = GradCheck.random(rng, 5, 2);
        float[] d = new float[5];
        PreferenceLoss.bradleyTerryBackward(d, scores, better, worse, 5, 1f);
        GradCheck.check(
                "bradley-terry", scores, d, () -> PreferenceLoss.bradleyTerryForward(scores, better, worse, 5), 1e-2);
        // -log sigma(0) = log 2: equal scores are a coin flip.
        assertEquals(
                Math.log(2),
                PreferenceLoss.bradleyTerryForward(new float[] {1, 1}, new int[] {0}, new int[] {1}, 1),
                1e-12);
        // Stable far out in both tails.
        assertEquals(100, PreferenceLoss.negLogSigmoid(-100), 1e-9);
        assertEquals(0, PreferenceLoss.negLogSigmoid(100), 1e-40);
    }

    @Test
    void dpoWithSftTerm() {
        float[] logp = GradCheck.random(rng, 5, 3), ref = GradCheck.random(rng, 5, 3);
        float[] tokens = {3, 5, 2, 7, 4};
        float beta = 0.5f, w = 0.3f;
        float[] d = new float[5];
        PreferenceLoss.dpoBackward(d, logp, ref, better, worse, 5, beta, 1f);
        PreferenceLoss.sftBackward(d, tokens, better, 5, w);
        GradCheck.check(
                "dpo + sft",
                logp,
                d,
                () -> PreferenceLoss.dpoForward(logp, ref, better, worse, 5, beta)
                        + w * PreferenceLoss.sftForward(logp, tokens, better, 5),
                1e-2);
        // The policy equal to the reference: every pair's loss is log 2.
        assertEquals(5 * Math.log(2), PreferenceLoss.dpoForward(ref, ref, better, worse, 5, beta), 1e-9);
    }

    @Test
    void rewardHead() {
        int b = 3, t = 4, c = 19; // 19: the scalar tail of the vector loops
        int[] ends = {3, 1, 2};
        NativeBuffer lnf = GradCheck.buffer(GradCheck.random(rng, b * t * c, 1));
        NativeBuffer w = GradCheck.buffer(GradCheck.random(rng, c, 1)), bias = GradCheck.buffer(new float[] {0.4f});
        float[] r = GradCheck.random(rng, b, 1), out = new float[b];
        DoubleSupplier f = () -> {
            RewardHead.forward(out, 0, lnf, 0, ends, 0, w, 0, bias, 0, b, t, c);
            double s = 0;
            for (int i = 0; i < b; i++) s += out[i] * r[i];
            return s;
        };
        f.getAsDouble();
        double expect = bias.get(0);
        for (int k = 0; k < c; k++) expect += lnf.get((1 * t + 1) * c + k) * w.get(k);
        assertEquals(expect, out[1], 1e-5);
        NativeBuffer dlnf = GradCheck.buffer(GradCheck.random(rng, b * t * c, 1)); // overwritten, not accumulated
        NativeBuffer dw = new NativeBuffer(c), db = new NativeBuffer(1);
        RewardHead.backward(dlnf, 0, dw, 0, db, 0, r, 0, lnf, 0, ends, 0, w, 0, b, t, c);
        GradCheck.check("reward head input", lnf, 0, GradCheck.read(dlnf, 0, b * t * c), f, 1e-2, 1000);
        GradCheck.check("reward head weight", w, 0, GradCheck.read(dw, 0, c), f, 1e-2, 1000);
        GradCheck.check("reward head bias", bias, 0, GradCheck.read(db, 0, 1), f, 1e-2, 1000);
    }

    /** Bradley-Terry through the reward model: every tensor, the head included. */
    @Test
    void rewardModelEveryTensor() {
        GptConfig cfg = new GptConfig(11, 8, 2, 2, 8, 0f, true);
        int b = 5, t = 7;
        Gpt model = perturbed(cfg, b);
        int[] in = Fixtures.randomTokens(rng, b * t, cfg.vocabSize());
        int[] ends = {6, 3, 5, 6, 2};
        float[] scores = new float[b];
        // Bradley-Terry alone is blind to a shift of every score (its gradients of ln_f.bias and the head's bias are
        // zero up to rounding): a small sum of squared scores makes those gradients checkable too.
        DoubleSupplier loss = () -> {
            model.rewards(in, ends, b, t, scores);
            double sq = 0;
            for (float r : scores) sq += 0.5 * r * r;
            return PreferenceLoss.bradleyTerryForward(scores, better, worse, 5) + 0.1 * sq;
        };
        model.zeroGrad();
        loss.getAsDouble();
        float[] d = new float[b];
        PreferenceLoss.bradleyTerryBackward(d, scores, better, worse, 5, 1f);
        for (int i = 0; i < b; i++) d[i] += 0.1f * scores[i];
        model.backwardRewards(d, 1f);
        checkEveryTensor(model, loss);
    }

    /** DPO (with the SFT term) through the language model's summed completion log-probabilities: every tensor. */
    @Test
    void dpoEveryTensor() {
        GptConfig cfg = new GptConfig(11, 8, 2, 2, 8, 0f);
        int b = 5, t = 8;
        Gpt model = perturbed(cfg, b);
        int[] in = Fixtures.randomTokens(rng, b * t, cfg.vocabSize()),
                tg = Fixtures.randomTokens(rng, b * t, cfg.vocabSize());
        float[] mask = new float[b * t], tokens = new float[b];
        for (int s = 0; s < b; s++) {
            for (int j = 2 + s % 3; j < t - s % 2; j++) {
                mask[s * t + j] = 1f;
                tokens[s]++;
            }
        }
        float[] ref = GradCheck.random(rng, b, 1), logp = new float[b];
        float beta = 0.5f, w = 0.2f;
        DoubleSupplier loss = () -> {
            model.sequenceLogProbs(in, tg, mask, b, t, logp);
            return PreferenceLoss.dpoForward(logp, ref, better, worse, 5, beta)
                    + w * PreferenceLoss.sftForward(logp, tokens, better, 5);
        };
        model.zeroGrad();
        loss.getAsDouble();
        // The summed log-probability is minus the masked cross-entropy's sum.
        float[] one = new float[b];
        model.sequenceLogProbs(in, tg, mask, b, t, one);
        double total = 0;
        for (float v : one) total += v;
        float count = 0;
        for (float m : mask) count += m;
        assertEquals(-total / count, model.forward(in, tg, mask, b, t), 1e-4);
        loss.getAsDouble();
        float[] d = new float[b];
        PreferenceLoss.dpoBackward(d, logp, ref, better, worse, 5, beta, 1f);
        PreferenceLoss.sftBackward(d, tokens, better, 5, w);
        model.backwardSequenceLogProbs(d, 1f);
        checkEveryTensor(model, loss);
    }

    @Test
    void pairsFromTiedGroups() {
        List<PreferenceGroup.Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            cs.add(new PreferenceGroup.Candidate(new int[] {1, 2, 3 + i}, new boolean[] {false, false, true}));
        // 3 best; 0 and 4 tied; 1 last; 2 not ranked.
        PreferenceGroup g = PreferenceGroup.fromOrder(cs, List.of(List.of(3), List.of(0, 4), List.of(1)));
        assertEquals(4, g.candidates().size());
        assertEquals(5, g.pairCount()); // 3>0, 3>4, 3>1, 0>1, 4>1; the tie 0~4 gives none
        List<String> pairs = new ArrayList<>();
        for (int p = 0; p < g.pairCount(); p++) {
            pairs.add(g.candidates().get(g.better(p)).ids()[2] - 3 + ">"
                    + (g.candidates().get(g.worse(p)).ids()[2] - 3));
        }
        assertEquals(List.of("3>0", "3>4", "3>1", "0>1", "4>1"), pairs);
        assertNull(PreferenceGroup.fromOrder(cs, List.of(List.of(0, 1, 2))), "all tied: nothing to learn");
    }

    private Gpt perturbed(GptConfig cfg, int b) {
        Gpt model = new Gpt(cfg, b, 3);
        float[] w = model.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.3);
        model.loadWeights(w);
        return model;
    }

    private static void checkEveryTensor(Gpt model, DoubleSupplier loss) {
        float[] g = model.copyGradients();
        for (TensorInfo ti : model.parameterTable()) {
            float[] analytic = new float[(int) ti.count()];
            System.arraycopy(g, (int) ti.offset(), analytic, 0, analytic.length);
            GradCheck.check(ti.name(), model.params, (int) ti.offset(), analytic, loss, 1e-2, 40);
        }
    }
}
