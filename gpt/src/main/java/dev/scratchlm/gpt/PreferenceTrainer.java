package dev.scratchlm.gpt;

import java.util.List;
import java.util.Map;

/**
 * Learning from rankings on the one model definition: a reward model trained with the Bradley-Terry loss, or a
 * policy trained with DPO against a frozen reference whose log-probabilities are computed once per candidate
 * ({@link #cacheReference}) and never again. Each {@link #step} takes whole {@link PreferenceGroup}s (all pairs of a
 * prompt together), runs them in micro-batches of up to the model's maxBatch sequences padded to the longest, sums
 * the gradient of the mean loss over the step's pairs, clips and takes one AdamW step, like {@link Trainer}.
 *
 * <p>Buffers are allocated once; a step allocates nothing but its statistics.
 */
public final class PreferenceTrainer {

    public enum Objective {
        REWARD,
        DPO
    }

    /**
     * @param beta      DPO's temperature on the log-ratio (the paper's default 0.1); unused by the reward model
     * @param sftWeight weight of the per-token NLL of the chosen answers added to the DPO loss (0: plain DPO)
     */
    public record Settings(Objective objective, float beta, float sftWeight) {
        public Settings {
            if (objective == null) throw new IllegalArgumentException("objective is required");
            if (!(beta > 0f)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
            if (sftWeight < 0f) throw new IllegalArgumentException("sftWeight must be >= 0, got " + sftWeight);
        }

        public static Settings reward() {
            return new Settings(Objective.REWARD, 0.1f, 0f);
        }

        public static Settings dpo(float beta, float sftWeight) {
            return new Settings(Objective.DPO, beta, sftWeight);
        }
    }

    /**
     * Means over pairs. Reward model: chosen/rejected rewards are its scores; DPO: they are the implicit rewards
     * beta (log pi - log ref) of TRL's DPOTrainer, and the log-probabilities are the policy's summed ones.
     * Accuracy: the fraction of pairs whose margin is positive.
     */
    public record Stats(
            int pairs,
            double loss,
            double accuracy,
            double chosenReward,
            double rejectedReward,
            double margin,
            double chosenLogProb,
            double rejectedLogProb,
            double gradNorm,
            float lr,
            double millis) {
        public Map<String, Double> asMap() {
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            m.put("loss", loss);
            m.put("accuracy", accuracy);
            m.put("rewardsChosen", chosenReward);
            m.put("rewardsRejected", rejectedReward);
            m.put("margin", margin);
            if (!Double.isNaN(chosenLogProb)) m.put("logpChosen", chosenLogProb);
            if (!Double.isNaN(rejectedLogProb)) m.put("logpRejected", rejectedLogProb);
            return m;
        }
    }

    private final Gpt model;
    private final TrainerConfig cfg;
    private final Settings settings;
    private final AdamW optimizer;
    private final int maxB, maxT;
    private final int[] inputs, targets, ends;
    private final float[] mask, scores, dscores, tokens, reference;
    private int[] better, worse;
    // Sums over the pairs seen by the current step or evaluation.
    private double sumLoss, sumCorrect, sumChosen, sumRejected, sumLpChosen, sumLpRejected;

    /** @param model a reward model ({@link GptConfig#rewardHead()}) for REWARD, a language model for DPO */
    public PreferenceTrainer(Gpt model, TrainerConfig config, Settings settings) {
        if ((settings.objective() == Objective.REWARD) != model.config().rewardHead()) {
            throw new IllegalArgumentException(
                    settings.objective() == Objective.REWARD
                            ? "a reward model needs a reward head (GptConfig.withRewardHead)"
                            : "DPO trains a language model, not a reward model");
        }
        this.model = model;
        this.cfg = config;
        this.settings = settings;
        this.optimizer = new AdamW(model, config.adamW());
        this.maxB = model.maxBatch();
        this.maxT = model.config().blockSize();
        inputs = new int[maxB * maxT];
        targets = new int[maxB * maxT];
        mask = new float[maxB * maxT];
        ends = new int[maxB];
        scores = new float[maxB];
        dscores = new float[maxB];
        tokens = new float[maxB];
        reference = new float[maxB];
        better = new int[maxB];
        worse = new int[maxB];
    }

    /**
     * A reward model initialised from a language model's weights (an SFT checkpoint): the same transformer, and a
     * scalar head drawn from {@code seed} as every other weight is at init.
     */
    public static Gpt rewardModel(GptConfig lm, float[] lmWeights, int maxBatch, long seed) {
        if (lm.rewardHead()) throw new IllegalArgumentException("the parent is already a reward model");
        Gpt g = new Gpt(lm.withRewardHead(true), maxBatch, seed);
        g.loadTransformerWeights(lmWeights);
        return g;
    }

    public Gpt model() {
        return model;
    }

    public Settings settings() {
        return settings;
    }

    public TrainerConfig config() {
        return cfg;
    }

    public long stepCount() {
        return optimizer.step();
    }

    /**
     * DPO: the frozen reference's summed log-probability of every candidate of {@code groups} (those not cached
     * yet), computed once with {@code referenceModel} (for a fresh job, the policy itself before its first step).
     */
    public void cacheReference(Gpt referenceModel, List<PreferenceGroup> groups) {
        boolean was = referenceModel.isTraining();
        referenceModel.setTraining(false);
        float[] out = new float[referenceModel.maxBatch()];
        int[] in = new int[referenceModel.maxBatch() * maxT], tg = new int[in.length];
        float[] m = new float[in.length];
        for (PreferenceGroup g : groups) {
            if (g.reference != null) continue;
            List<PreferenceGroup.Candidate> cs = g.candidates();
            float[] ref = new float[cs.size()];
            // One candidate at a time in micro-batches of the reference's size: each value depends on its tokens only.
            for (int start = 0; start < cs.size(); start += referenceModel.maxBatch()) {
                int n = Math.min(referenceModel.maxBatch(), cs.size() - start);
                int t = fillLogProb(cs, start, n, in, tg, m);
                referenceModel.sequenceLogProbs(in, tg, m, n, t, out);
                System.arraycopy(out, 0, ref, start, n);
            }
            g.reference = ref;
        }
        referenceModel.setTraining(was);
    }

    /** One optimizer step over every pair of {@code groups}; returns the step's mean statistics. */
    public Stats step(List<PreferenceGroup> groups) {
        long t0 = System.nanoTime();
        // Dropout on for the reward model as in any training; off for DPO, whose log-ratios against the cached
        // (dropout-free) reference would otherwise be noise at the first step.
        model.setTraining(settings.objective() == Objective.REWARD);
        model.zeroGrad();
        int pairs = run(groups, true);
        double norm = model.gradNorm();
        float clipScale = cfg.gradClip() > 0 && norm > cfg.gradClip() ? (float) (cfg.gradClip() / (norm + 1e-6)) : 1f;
        float lr = cfg.schedule().lr(optimizer.step());
        optimizer.update(lr, clipScale);
        return stats(pairs, norm, lr, (System.nanoTime() - t0) / 1e6);
    }

    /** The same statistics on held-out groups, without dropout and without touching gradients or weights. */
    public Stats evaluate(List<PreferenceGroup> groups) {
        long t0 = System.nanoTime();
        boolean was = model.isTraining();
        model.setTraining(false);
        int pairs = run(groups, false);
        model.setTraining(was);
        return stats(pairs, Double.NaN, Float.NaN, (System.nanoTime() - t0) / 1e6);
    }

    private Stats stats(int pairs, double norm, float lr, double ms) {
        double n = Math.max(1, pairs);
        boolean dpo = settings.objective() == Objective.DPO;
        return new Stats(
                pairs,
                sumLoss / n,
                sumCorrect / n,
                sumChosen / n,
                sumRejected / n,
                (sumChosen - sumRejected) / n,
                dpo ? sumLpChosen / n : Double.NaN,
                dpo ? sumLpRejected / n : Double.NaN,
                norm,
                lr,
                ms);
    }

    /** Forward (and backward when training) over the groups in micro-batches; returns the pair count. */
    private int run(List<PreferenceGroup> groups, boolean train) {
        int totalPairs = 0;
        for (PreferenceGroup g : groups) {
            if (g.candidates().size() > maxB) {
                throw new IllegalArgumentException(
                        "a group of " + g.candidates().size() + " candidates does not fit the batch of " + maxB);
            }
            if (settings.objective() == Objective.DPO && g.reference == null) {
                throw new IllegalStateException("DPO needs the reference log-probabilities: call cacheReference first");
            }
            totalPairs += g.pairCount();
        }
        sumLoss = sumCorrect = sumChosen = sumRejected = sumLpChosen = sumLpRejected = 0;
        if (totalPairs == 0) return 0;
        float scale = 1f / totalPairs;
        int i = 0;
        while (i < groups.size()) {
            int j = i, seqs = 0;
            while (j < groups.size() && seqs + groups.get(j).candidates().size() <= maxB)
                seqs += groups.get(j++).candidates().size();
            microBatch(groups.subList(i, j), seqs, train, scale);
            i = j;
        }
        return totalPairs;
    }

    private void microBatch(List<PreferenceGroup> groups, int b, boolean train, float scale) {
        int pairs = 0, seq = 0;
        for (PreferenceGroup g : groups) {
            ensurePairs(pairs + g.pairCount());
            for (int p = 0; p < g.pairCount(); p++) {
                better[pairs] = seq + g.better(p);
                worse[pairs] = seq + g.worse(p);
                pairs++;
            }
            if (g.reference != null)
                System.arraycopy(g.reference, 0, reference, seq, g.candidates().size());
            seq += g.candidates().size();
        }
        java.util.Arrays.fill(dscores, 0, b, 0f);
        if (settings.objective() == Objective.REWARD) {
            int t = fillReward(groups, b);
            model.rewards(inputs, ends, b, t, scores);
            double loss = PreferenceLoss.bradleyTerryForward(scores, better, worse, pairs);
            accumulate(loss, pairs, false);
            if (train) {
                PreferenceLoss.bradleyTerryBackward(dscores, scores, better, worse, pairs, scale);
                model.backwardRewards(dscores, 1f);
            }
        } else {
            int t = fillLogProb(groups);
            model.sequenceLogProbs(inputs, targets, mask, b, t, scores);
            float beta = settings.beta(), w = settings.sftWeight();
            double loss = PreferenceLoss.dpoForward(scores, reference, better, worse, pairs, beta);
            if (w > 0) loss += w * PreferenceLoss.sftForward(scores, tokens, better, pairs);
            accumulate(loss, pairs, true);
            if (train) {
                PreferenceLoss.dpoBackward(dscores, scores, reference, better, worse, pairs, beta, scale);
                if (w > 0) PreferenceLoss.sftBackward(dscores, tokens, better, pairs, scale * w);
                model.backwardSequenceLogProbs(dscores, 1f);
            }
        }
    }

    private void accumulate(double loss, int pairs, boolean dpo) {
        sumLoss += loss;
        float beta = settings.beta();
        for (int p = 0; p < pairs; p++) {
            int w = better[p], l = worse[p];
            double rc = dpo ? beta * ((double) scores[w] - reference[w]) : scores[w];
            double rr = dpo ? beta * ((double) scores[l] - reference[l]) : scores[l];
            sumChosen += rc;
            sumRejected += rr;
            if (rc > rr) sumCorrect++;
            if (dpo) {
                sumLpChosen += scores[w];
                sumLpRejected += scores[l];
            }
        }
    }

    private void ensurePairs(int n) {
        if (n > better.length) {
            better = java.util.Arrays.copyOf(better, Math.max(n, 2 * better.length));
            worse = java.util.Arrays.copyOf(worse, better.length);
        }
    }

    /** Inputs (b, t) of whole sequences, t the longest, and each sequence's last position (the closing end). */
    private int fillReward(List<PreferenceGroup> groups, int b) {
        int t = 0;
        for (PreferenceGroup g : groups)
            for (PreferenceGroup.Candidate c : g.candidates()) t = Math.max(t, c.rewardLength());
        checkLength(t, maxT);
        int s = 0;
        for (PreferenceGroup g : groups) {
            for (PreferenceGroup.Candidate c : g.candidates()) {
                int n = c.rewardLength(), row = s * t;
                System.arraycopy(c.ids(), 0, inputs, row, n);
                java.util.Arrays.fill(inputs, row + n, row + t, 0);
                ends[s++] = n - 1;
            }
        }
        return t;
    }

    /** Language-model rows (b, t) of the groups' candidates, t the longest, and their answer-token counts. */
    private int fillLogProb(List<PreferenceGroup> groups) {
        int t = 0;
        for (PreferenceGroup g : groups)
            for (PreferenceGroup.Candidate c : g.candidates()) t = Math.max(t, c.logProbLength());
        checkLength(t, maxT);
        int s = 0;
        for (PreferenceGroup g : groups) {
            for (PreferenceGroup.Candidate c : g.candidates()) {
                writeLogProbRow(c, s, t, inputs, targets, mask);
                tokens[s] = c.answerTokens();
                s++;
            }
        }
        return t;
    }

    /** Candidates [start, start + n) of cs as rows of the common length; returns it. */
    private int fillLogProb(List<PreferenceGroup.Candidate> cs, int start, int n, int[] in, int[] tg, float[] m) {
        int t = 0;
        for (int i = 0; i < n; i++) t = Math.max(t, cs.get(start + i).logProbLength());
        checkLength(t, maxT);
        for (int i = 0; i < n; i++) writeLogProbRow(cs.get(start + i), i, t, in, tg, m);
        return t;
    }

    /**
     * Row s of a language-model batch for one candidate: inputs ids[0..n-1), targets ids[1..n), and the template's
     * loss mask shifted onto the targets (so it selects the answer's tokens and closing end), zero-padded to t.
     */
    private static void writeLogProbRow(PreferenceGroup.Candidate c, int s, int t, int[] in, int[] tg, float[] m) {
        int n = c.logProbLength(), row = s * t;
        int[] ids = c.ids();
        boolean[] am = c.answerMask();
        for (int j = 0; j < t; j++) {
            boolean real = j < n;
            in[row + j] = real ? ids[j] : 0;
            tg[row + j] = real ? ids[j + 1] : 0;
            m[row + j] = real && am[j + 1] ? 1f : 0f;
        }
    }

    private static void checkLength(int t, int maxT) {
        if (t > maxT)
            throw new IllegalArgumentException("a candidate of " + t + " tokens does not fit the context of " + maxT);
    }

    /**
     * Everything needed to resume: weights, AdamW state and step, the dropout generator; {@code dataPosition},
     * tokenizer id, lineage {@code metadata} and {@code metrics} are the caller's.
     */
    public Checkpoint checkpoint(
            String tokenizerId, long dataPosition, Map<String, Object> metadata, Map<String, Double> metrics) {
        return new Checkpoint(
                model.config(),
                cfg,
                optimizer.step(),
                model.dropoutRng().state(),
                dataPosition,
                tokenizerId,
                metadata,
                metrics,
                model.copyWeights(),
                optimizer.copyM(),
                optimizer.copyV());
    }

    /** A trainer that continues {@code checkpoint} exactly (the DPO reference is cached again by the caller). */
    public static PreferenceTrainer resume(Checkpoint checkpoint, Settings settings) {
        if (!checkpoint.hasOptimizerState() || checkpoint.trainerConfig() == null) {
            throw new IllegalArgumentException(
                    "checkpoint has no optimizer state or trainer config: cannot resume training");
        }
        TrainerConfig tc = checkpoint.trainerConfig();
        Gpt model = new Gpt(checkpoint.config(), tc.batchSize(), 0);
        model.loadWeights(checkpoint.weights());
        model.dropoutRng().setState(checkpoint.rngState());
        PreferenceTrainer t = new PreferenceTrainer(model, tc, settings);
        t.optimizer.restore(checkpoint.adamM(), checkpoint.adamV(), checkpoint.step());
        return t;
    }

    /**
     * A reward model's score of each candidate (its scalar head at the answer's closing end token), for ranking
     * sampled answers. Runs in batches of the model's maxBatch.
     */
    public static float[] score(Gpt rewardModel, List<PreferenceGroup.Candidate> candidates) {
        boolean was = rewardModel.isTraining();
        rewardModel.setTraining(false);
        int mb = rewardModel.maxBatch(), maxT = rewardModel.config().blockSize();
        float[] out = new float[candidates.size()], part = new float[mb];
        int[] ends = new int[mb];
        for (int start = 0; start < candidates.size(); start += mb) {
            int n = Math.min(mb, candidates.size() - start), t = 0;
            for (int i = 0; i < n; i++)
                t = Math.max(t, candidates.get(start + i).rewardLength());
            checkLength(t, maxT);
            int[] in = new int[n * t];
            for (int i = 0; i < n; i++) {
                int[] ids = candidates.get(start + i).ids();
                System.arraycopy(ids, 0, in, i * t, ids.length);
                ends[i] = ids.length - 1;
            }
            rewardModel.rewards(in, ends, n, t, part);
            System.arraycopy(part, 0, out, start, n);
        }
        rewardModel.setTraining(was);
        return out;
    }
}
