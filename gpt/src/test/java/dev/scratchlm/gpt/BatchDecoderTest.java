package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {
    private final GptConfig cfg = new GptConfig(40, 24, 2, 4, 64, 0f);
    private static final int STOP = 0;

    private Gpt model() {
        Gpt m = new Gpt(cfg, 3, 11);
        Rng rng = new Rng(12);
        float[] w = m.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.3);
        m.loadWeights(w);
        m.setTraining(false);
        return m;
    }

    private List<int[]> prompts() {
        Rng rng = new Rng(4);
        List<int[]> out = new ArrayList<>();
        for (int len : new int[] {3, 9, 1, 5, 20, 7}) {
            int[] p = Fixtures.randomTokens(rng, len, cfg.vocabSize());
            for (int i = 0; i < len; i++) if (p[i] == STOP) p[i] = 1;
            out.add(p);
        }
        return out;
    }

    /** The textbook loop: the whole sequence through the full forward, one token at a time. */
    private int[] reference(Gpt m, int[] prompt, int maxTokens, Sampler sampler) {
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) seq.add(t);
        List<Integer> gen = new ArrayList<>();
        while (gen.size() < maxTokens && seq.size() < cfg.blockSize()) {
            int[] in = seq.stream().mapToInt(Integer::intValue).toArray();
            m.forward(in, null, null, 1, in.length);
            float[] logits = m.logits(0, in.length - 1, null);
            int next = sampler == null
                    ? BatchDecoder.argmax(logits)
                    : sampler.sample(logits).token();
            if (next == STOP) break;
            gen.add(next);
            seq.add(next);
        }
        return gen.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void greedyAnswersEqualTheFullForwardOneByOne() {
        Gpt m = model();
        List<int[]> prompts = prompts();
        List<int[]> got = new BatchDecoder(m, 4, 1, t -> t == STOP).answer(prompts, 10);
        assertEquals(prompts.size(), got.size());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(reference(m, prompts.get(i), 10, null), got.get(i), "prompt " + i);
            assertTrue(prompts.get(i).length + got.get(i).length <= cfg.blockSize(), "never past the context");
        }
    }

    @Test
    void sampledAnswersFollowTheSeededSamplerInPromptOrder() {
        Gpt m = model();
        Sampler.Settings s = new Sampler.Settings(1.0f, 0, 1f, 0);
        // One prompt per call: the sequence of draws is the reference's.
        int[] prompt = prompts().get(1);
        int[] one = new BatchDecoder(m, 4, 1, t -> t == STOP)
                .answer(List.of(prompt), 12, new Sampler(s, 7))
                .get(0);
        assertArrayEquals(reference(m, prompt, 12, new Sampler(s, 7)), one);

        List<int[]> same = Arrays.asList(prompt, prompt, prompt, prompt);
        List<int[]> a = new BatchDecoder(m, 4, 1, t -> t == STOP).answer(same, 12, new Sampler(s, 7));
        List<int[]> b = new BatchDecoder(m, 4, 1, t -> t == STOP).answer(same, 12, new Sampler(s, 7));
        for (int i = 0; i < same.size(); i++) assertArrayEquals(a.get(i), b.get(i), "same seed, same answers");
        boolean differ = false;
        for (int i = 1; i < same.size(); i++) differ |= !Arrays.equals(a.get(0), a.get(i));
        assertTrue(differ, "four draws for one prompt are not all the same answer");
    }
}
