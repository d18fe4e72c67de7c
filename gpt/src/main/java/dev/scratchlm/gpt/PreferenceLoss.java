package dev.scratchlm.gpt;

/**
 * The losses of learning from rankings, on per-sequence scalars (one per candidate sequence of a batch), each a
 * forward returning the SUM over pairs and a backward ADDING {@code scale} times its gradient:
 * <ul>
 *   <li>Bradley-Terry on a reward model's scores: {@code -log sigma(r[better] - r[worse])};</li>
 *   <li>DPO (Rafailov et al. 2023) on summed completion log-probabilities of the policy and the frozen reference:
 *       {@code -log sigma(beta [(logp[w] - ref[w]) - (logp[l] - ref[l])])};</li>
 *   <li>an SFT term on the chosen answer, {@code -logp[w] / tokens[w]} (per token), against the known downward
 *       drift of the chosen answers' log-probabilities under DPO.</li>
 * </ul>
 * Pairs index the sequences: {@code better[p]} (chosen) is preferred to {@code worse[p]} (rejected). StrictMath
 * throughout: Math's exp and log may differ in the last bit once the JIT compiles them, and a resumed job must
 * repeat the uninterrupted job's numbers exactly.
 */
final class PreferenceLoss {
    private PreferenceLoss() {}

    /** -log sigma(z), computed without overflow for any z. */
    static double negLogSigmoid(double z) {
        return Math.max(-z, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(z)));
    }

    /** d/dz of -log sigma(z) = sigma(z) - 1 = -sigma(-z). */
    static double negLogSigmoidGrad(double z) {
        return -sigmoid(-z);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + StrictMath.exp(-z)) : StrictMath.exp(z) / (1 + StrictMath.exp(z));
    }

    /** sum_p -log sigma(scores[better[p]] - scores[worse[p]]). */
    static double bradleyTerryForward(float[] scores, int[] better, int[] worse, int pairs) {
        double sum = 0;
        for (int p = 0; p < pairs; p++) sum += negLogSigmoid((double) scores[better[p]] - scores[worse[p]]);
        return sum;
    }

    static void bradleyTerryBackward(
            float[] dscores, float[] scores, int[] better, int[] worse, int pairs, float scale) {
        for (int p = 0; p < pairs; p++) {
            double g = scale * negLogSigmoidGrad((double) scores[better[p]] - scores[worse[p]]);
            dscores[better[p]] += (float) g;
            dscores[worse[p]] -= (float) g;
        }
    }

    /** beta [(logp[w] - ref[w]) - (logp[l] - ref[l])]: the DPO logit of pair p (its implicit reward margin). */
    static double dpoLogit(float[] logp, float[] ref, int w, int l, float beta) {
        return beta * (((double) logp[w] - ref[w]) - ((double) logp[l] - ref[l]));
    }

    /** sum_p -log sigma(beta [(logp[w] - ref[w]) - (logp[l] - ref[l])]). */
    static double dpoForward(float[] logp, float[] ref, int[] chosen, int[] rejected, int pairs, float beta) {
        double sum = 0;
        for (int p = 0; p < pairs; p++) sum += negLogSigmoid(dpoLogit(logp, ref, chosen[p], rejected[p], beta));
        return sum;
    }

    static void dpoBackward(
            float[] dlogp,
            float[] logp,
            float[] ref,
            int[] chosen,
            int[] rejected,
            int pairs,
            float beta,
            float scale) {
        for (int p = 0; p < pairs; p++) {
            double g = scale * beta * negLogSigmoidGrad(dpoLogit(logp, ref, chosen[p], rejected[p], beta));
            dlogp[chosen[p]] += (float) g;
            dlogp[rejected[p]] -= (float) g;
        }
    }

    /** sum_p -logp[chosen[p]] / tokens[chosen[p]]: the chosen answers' mean per-token negative log-likelihood, summed. */
    static double sftForward(float[] logp, float[] tokens, int[] chosen, int pairs) {
        double sum = 0;
        for (int p = 0; p < pairs; p++) sum += -(double) logp[chosen[p]] / tokens[chosen[p]];
        return sum;
    }

    static void sftBackward(float[] dlogp, float[] tokens, int[] chosen, int pairs, float scale) {
        for (int p = 0; p < pairs; p++) dlogp[chosen[p]] -= scale / tokens[chosen[p]];
    }
}
