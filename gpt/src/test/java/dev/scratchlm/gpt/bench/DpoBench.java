package dev.scratchlm.gpt.bench;

import dev.scratchlm.gpt.AdamW;
import dev.scratchlm.gpt.BatchSource;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.LrSchedule;
import dev.scratchlm.gpt.PreferenceGroup;
import dev.scratchlm.gpt.PreferenceTrainer;
import dev.scratchlm.gpt.Rng;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.gpt.TrainerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A DPO step against an SFT step on the same model (the baby config, vocabulary 256): the DPO step over P pairs runs
 * the policy forward and backward on the 2P chosen and rejected sequences with the reference log-probabilities
 * cached beforehand; the SFT step trains the same model shape on the same 2P sequences (same lengths, same padding,
 * the same answer mask). Both take an AdamW step. Rounds alternate the two so load on a shared machine hits both;
 * the median of each side's step times is compared.
 *
 * <p>rm_accuracy: a reward model on the same transformer, trained on a toy preference (answers containing one
 * given token are preferred) and measured on held-out prompts' pairs never trained on.
 *
 * <p>Args: {@code [--pairs P] [--steps N] [--rounds R] [--rm-steps N] [--threads N]}. Prints its result LAST.
 */
public final class DpoBench {
    static final int EOT = 0, USER = 1, ASSISTANT = 2, END = 3, WORD = 4, FIRST = 5, VOCAB = 256;

    public static void main(String[] args) {
        int pairs = 6, steps = 20, rounds = 5, rmSteps = 150, threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--rm-steps" -> rmSteps = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        GptRuntime.configureThreads(threads);
        GptConfig cfg = GptConfig.baby(VOCAB);
        int b = 2 * pairs;
        TrainerConfig tc = new TrainerConfig(
                b, cfg.blockSize(), 1, LrSchedule.constant(1e-4f), new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0.1f), 1f);
        Rng rng = new Rng(1337);
        // Batches of P pairs (one group of two per pair), answers long enough that some row fills the context.
        List<List<PreferenceGroup>> batches = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<PreferenceGroup> groups = new ArrayList<>();
            for (int p = 0; p < pairs; p++) groups.add(group(rng, 2, 20, cfg.blockSize() + 1 - 12));
            batches.add(groups);
        }
        Gpt policy = new Gpt(cfg, b, 1);
        PreferenceTrainer dpo = new PreferenceTrainer(policy, tc, PreferenceTrainer.Settings.dpo(0.1f, 0f));
        for (List<PreferenceGroup> g : batches) dpo.cacheReference(policy, g);
        // The SFT peer: the same sequences laid out exactly as the DPO step lays them out (padded to the longest).
        int t = 0;
        for (List<PreferenceGroup> g : batches)
            for (PreferenceGroup pg : g)
                for (PreferenceGroup.Candidate c : pg.candidates()) t = Math.max(t, c.logProbLength());
        TrainerConfig sc = new TrainerConfig(b, t, 1, tc.schedule(), tc.adamW(), tc.gradClip());
        Trainer sft = new Trainer(cfg, sc, 1);
        int[] next = {0};
        BatchSource same = (in, tg, m, bb, tt) -> {
            List<PreferenceGroup> groups = batches.get(next[0]++ % batches.size());
            int s = 0;
            for (PreferenceGroup pg : groups) {
                for (PreferenceGroup.Candidate c : pg.candidates()) {
                    for (int j = 0; j < tt; j++) {
                        boolean real = j < c.logProbLength();
                        in[s * tt + j] = real ? c.ids()[j] : 0;
                        tg[s * tt + j] = real ? c.ids()[j + 1] : 0;
                        m[s * tt + j] = real && c.answerMask()[j + 1] ? 1f : 0f;
                    }
                    s++;
                }
            }
            return true;
        };
        System.out.printf(
                "model: %s, %d parameters; %d pairs = %d sequences padded to %d tokens; %d worker threads%n",
                cfg, policy.parameterCount(), pairs, b, t, policy.threads());
        // Warm-up (JIT) on both sides.
        for (int i = 0; i < 10; i++) {
            dpo.step(batches.get(i % batches.size()));
            sft.step(same);
        }
        double[] dpoMs = new double[rounds * steps], sftMs = new double[rounds * steps];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < steps; i++)
                dpoMs[r * steps + i] = dpo.step(batches.get(i % batches.size())).millis();
            for (int i = 0; i < steps; i++) {
                sft.step(same);
                sftMs[r * steps + i] = sft.lastStepStats().millis();
            }
            System.out.printf(
                    "round %d: dpo %.2f ms/step, sft %.2f ms/step (medians so far)%n",
                    r + 1, median(dpoMs, (r + 1) * steps), median(sftMs, (r + 1) * steps));
        }
        double x = median(dpoMs, dpoMs.length), y = median(sftMs, sftMs.length);

        // The reward model on the toy preference: k = 4 candidates per prompt, 2 with the word and 2 without.
        Gpt rm = PreferenceTrainer.rewardModel(cfg, new Gpt(cfg, 1, 2).copyWeights(), 4 * 4, 3);
        PreferenceTrainer rt = new PreferenceTrainer(
                rm,
                new TrainerConfig(
                        16,
                        cfg.blockSize(),
                        1,
                        LrSchedule.constant(1e-3f),
                        new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0f),
                        1f),
                PreferenceTrainer.Settings.reward());
        Rng data = new Rng(7);
        List<PreferenceGroup> train = new ArrayList<>(), heldOut = new ArrayList<>();
        for (int i = 0; i < 4 * rmSteps; i++) train.add(group(data, 4, 3, 12));
        for (int i = 0; i < 100; i++) heldOut.add(group(data, 4, 3, 12));
        long t0 = System.nanoTime();
        for (int s = 0; s < rmSteps; s++) rt.step(train.subList(4 * s, 4 * s + 4));
        PreferenceTrainer.Stats held = rt.evaluate(heldOut);
        System.out.printf(
                "reward model: %d steps of 4 prompts x 4 candidates in %.1f s; held-out %d pairs, loss %.4f, accuracy %.4f%n",
                rmSteps, (System.nanoTime() - t0) / 1e9, held.pairs(), held.loss(), held.accuracy());
        System.out.printf(
                "pairs=%d dpo_step_ms=%.2f sft_step_ms=%.2f ratio=%.3f rm_accuracy=%.4f%n",
                pairs, x, y, x / y, held.accuracy());
    }

    /**
     * One prompt's k candidates, ranked: the first half contain the word (preferred, tied among themselves), the rest
     * do not. Answers have minLen..maxLen tokens.
     */
    static PreferenceGroup group(Rng rng, int k, int minLen, int maxLen) {
        int[] prompt = {
            EOT,
            USER,
            FIRST + rng.nextInt(VOCAB - FIRST),
            FIRST + rng.nextInt(VOCAB - FIRST),
            FIRST + rng.nextInt(VOCAB - FIRST),
            END,
            ASSISTANT
        };
        List<PreferenceGroup.Candidate> cs = new ArrayList<>();
        List<Integer> good = new ArrayList<>(), bad = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            int n = minLen + rng.nextInt(maxLen - minLen + 1);
            int[] ids = Arrays.copyOf(prompt, prompt.length + n + 1);
            boolean[] mask = new boolean[ids.length];
            for (int j = 0; j < n; j++) ids[prompt.length + j] = FIRST + rng.nextInt(VOCAB - FIRST);
            if (c < k / 2) ids[prompt.length + rng.nextInt(n)] = WORD;
            ids[ids.length - 1] = END;
            for (int j = prompt.length; j < ids.length; j++) mask[j] = true;
            cs.add(new PreferenceGroup.Candidate(ids, mask));
            (c < k / 2 ? good : bad).add(c);
        }
        return PreferenceGroup.fromOrder(cs, List.of(good, bad));
    }

    static double median(double[] a, int n) {
        double[] s = Arrays.copyOf(a, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
