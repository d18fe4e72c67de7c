package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A toy preference: answers that contain the word {@link #WORD} are preferred to answers that do not. A reward
 * model must learn it (held-out pair accuracy >= 95%), and DPO must move the policy toward it (held-out margin of
 * chosen over rejected log-probabilities up, the probability of the word up). Held-out prompts are never trained on.
 */
class PreferenceLearningTest {
    // Token ids laid out like the chat template's: <|endoftext|> <|user|> prompt <|end|> <|assistant|> answer <|end|>
    static final int EOT = 0, USER = 1, ASSISTANT = 2, END = 3, WORD = 4, FIRST_WORD = 5, VOCAB = 24;
    static final GptConfig LM = new GptConfig(VOCAB, 20, 2, 2, 32, 0f);

    /** k = 4 candidates for one random prompt: two with the word somewhere, two without; ranked [[with], [without]]. */
    static PreferenceGroup group(Rng rng) {
        int[] prompt = new int[3];
        for (int i = 0; i < 3; i++) prompt[i] = FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD);
        List<PreferenceGroup.Candidate> cs = new ArrayList<>();
        for (int k = 0; k < 4; k++) cs.add(candidate(prompt, answer(rng, k < 2)));
        return PreferenceGroup.fromOrder(cs, List.of(List.of(0, 1), List.of(2, 3)));
    }

    static int[] answer(Rng rng, boolean withWord) {
        int n = 3 + rng.nextInt(4);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD);
        if (withWord) a[rng.nextInt(n)] = WORD;
        return a;
    }

    static int[] promptIds(int[] prompt) {
        return new int[] {EOT, USER, prompt[0], prompt[1], prompt[2], END, ASSISTANT};
    }

    static PreferenceGroup.Candidate candidate(int[] prompt, int[] answer) {
        int[] p = promptIds(prompt);
        int n = p.length + answer.length + 1;
        int[] ids = new int[n];
        boolean[] mask = new boolean[n];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(answer, 0, ids, p.length, answer.length);
        ids[n - 1] = END;
        for (int i = p.length; i < n; i++) mask[i] = true;
        return new PreferenceGroup.Candidate(ids, mask);
    }

    static List<PreferenceGroup> groups(long seed, int n) {
        Rng rng = new Rng(seed);
        List<PreferenceGroup> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(group(rng));
        return out;
    }

    static TrainerConfig config(int batch, float lr) {
        return new TrainerConfig(
                batch, LM.blockSize(), 1, LrSchedule.constant(lr), new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0f), 1f);
    }

    /** A language model that has seen answers with and without the word alike (the "SFT" model before preferences). */
    static Gpt sftModel() {
        Trainer sft = new Trainer(LM, config(16, 3e-3f), 5);
        Rng rng = new Rng(99);
        BatchSource answers = (in, tg, m, b, t) -> {
            for (int s = 0; s < b; s++) {
                int[] p = new int[3];
                for (int i = 0; i < 3; i++) p[i] = FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD);
                PreferenceGroup.Candidate c = candidate(p, answer(rng, rng.nextInt(2) == 0));
                for (int j = 0; j < t; j++) {
                    boolean real = j < c.logProbLength();
                    in[s * t + j] = real ? c.ids()[j] : 0;
                    tg[s * t + j] = real ? c.ids()[j + 1] : 0;
                    m[s * t + j] = real && c.answerMask()[j + 1] ? 1f : 0f;
                }
            }
            return true;
        };
        for (int i = 0; i < 100; i++) sft.step(answers);
        return sft.model();
    }

    @Test
    void rewardModelLearnsThePreference() throws Exception {
        Gpt sft = sftModel();
        Gpt rm = PreferenceTrainer.rewardModel(LM, sft.copyWeights(), 32, 7);
        PreferenceTrainer tr = new PreferenceTrainer(rm, config(32, 1e-3f), PreferenceTrainer.Settings.reward());
        List<PreferenceGroup> train = groups(1, 400), heldOut = groups(2, 60);
        PreferenceTrainer.Stats before = tr.evaluate(heldOut);
        for (int step = 0; step < 80; step++) {
            int from = (step * 8) % train.size();
            tr.step(train.subList(from, from + 8)); // 8 prompts x 4 candidates = 32 sequences, 32 pairs
        }
        PreferenceTrainer.Stats after = tr.evaluate(heldOut);
        System.out.printf(
                "reward model held-out: pairs=%d accuracy %.3f -> %.3f, loss %.3f -> %.3f%n",
                after.pairs(), before.accuracy(), after.accuracy(), before.loss(), after.loss());
        assertEquals(240, after.pairs());
        assertTrue(after.accuracy() >= 0.95, "held-out pair accuracy " + after.accuracy());
        assertTrue(after.loss() < before.loss());

        // The scores the chat's best-of-n would rank by: an answer with the word beats the same answer without it.
        Rng rng = new Rng(3);
        int wins = 0;
        List<PreferenceGroup.Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int[] p = {FIRST_WORD + rng.nextInt(10), FIRST_WORD + rng.nextInt(10), FIRST_WORD + rng.nextInt(10)};
            int[] a = answer(rng, false), withWord = a.clone();
            withWord[rng.nextInt(a.length)] = WORD;
            cs.add(candidate(p, withWord));
            cs.add(candidate(p, a));
        }
        float[] s = PreferenceTrainer.score(rm, cs);
        for (int i = 0; i < 50; i++) if (s[2 * i] > s[2 * i + 1]) wins++;
        assertTrue(wins >= 45, "the word wins " + wins + " of 50 otherwise identical answers");

        // The head survives a checkpoint round trip and is named in its parameter table.
        Checkpoint c = Checkpoint.fromBytes(tr.checkpoint("tok", 0, null, null).toBytes());
        assertTrue(c.config().rewardHead());
        assertTrue(c.config().rewardHead()
                && Gpt.parameterTable(c.config()).stream()
                        .anyMatch(t -> t.name().equals("reward_head.weight")));
        assertArrayEquals(s, PreferenceTrainer.score(c.toModel(8), cs), 1e-5f); // another batch size: rounding only
    }

    @Test
    void dpoMovesThePolicyTowardThePreference() {
        Gpt policy = sftModel();
        List<PreferenceGroup> train = groups(1, 400), heldOut = groups(2, 60);
        PreferenceTrainer tr =
                new PreferenceTrainer(policy, config(32, 5e-4f), PreferenceTrainer.Settings.dpo(0.1f, 0f));
        tr.cacheReference(policy, train); // the reference is the policy before its first step
        tr.cacheReference(policy, heldOut);
        float[] heldOutRef = heldOut.get(0).reference.clone();
        double wordBefore = wordProbability(policy, 3, 100);
        PreferenceTrainer.Stats before = tr.evaluate(heldOut);
        for (int step = 0; step < 100; step++) {
            int from = (step * 8) % train.size();
            tr.step(train.subList(from, from + 8));
        }
        PreferenceTrainer.Stats after = tr.evaluate(heldOut);
        double wordAfter = wordProbability(policy, 3, 100);
        System.out.printf(
                "dpo held-out: margin %.3f -> %.3f, accuracy %.3f -> %.3f, logp chosen %.2f -> %.2f, rejected %.2f -> %.2f, "
                        + "P(word first) %.3f -> %.3f%n",
                before.margin(),
                after.margin(),
                before.accuracy(),
                after.accuracy(),
                before.chosenLogProb(),
                after.chosenLogProb(),
                before.rejectedLogProb(),
                after.rejectedLogProb(),
                wordBefore,
                wordAfter);
        assertEquals(0, before.margin(), 1e-6, "policy = reference: no margin yet");
        assertEquals(Math.log(2), before.loss(), 1e-5);
        assertTrue(after.margin() > 0.1, "held-out margin " + after.margin());
        assertTrue(after.accuracy() > 0.8, "held-out accuracy " + after.accuracy());
        assertTrue(wordAfter > 1.5 * wordBefore, "P(word) " + wordBefore + " -> " + wordAfter);
        assertArrayEquals(heldOutRef, heldOut.get(0).reference, "the cached reference never changes");
    }

    /** Mean probability that the first answer token is the word, over held-out prompts. */
    static double wordProbability(Gpt model, long seed, int prompts) {
        Rng rng = new Rng(seed);
        double sum = 0;
        float[] logits = new float[VOCAB];
        for (int i = 0; i < prompts; i++) {
            int[] p = promptIds(new int[] {
                FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD),
                FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD),
                FIRST_WORD + rng.nextInt(VOCAB - FIRST_WORD)
            });
            model.forward(p, null, null, 1, p.length);
            model.logits(0, p.length - 1, logits);
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (float l : logits) max = Math.max(max, l);
            for (float l : logits) z += Math.exp(l - max);
            sum += Math.exp(logits[WORD] - max) / z;
        }
        return sum / prompts;
    }
}
