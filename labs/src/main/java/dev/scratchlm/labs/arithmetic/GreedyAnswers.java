package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.KvCacheDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy answers for many prompts at once: up to {@code slots} prompts are prefilled together, then every sequence
 * that has not written the end token yet advances by its most likely token, all in one decode step.
 */
public final class GreedyAnswers {
    private final KvCacheDecoder decoder;
    private final int slots, endToken, maxTokens;

    public GreedyAnswers(Gpt model, int slots, int threads, int endToken, int maxTokens) {
        this.decoder = new KvCacheDecoder(model, slots, threads);
        this.slots = slots;
        this.endToken = endToken;
        this.maxTokens = maxTokens;
    }

    /** For each prompt, the tokens generated until the end token (included) or {@code maxTokens}. */
    public List<int[]> answer(List<int[]> prompts) {
        List<int[]> out = new ArrayList<>(prompts.size());
        float[][] logits = new float[slots][];
        int[][] gen = new int[slots][maxTokens];
        int[] len = new int[slots];
        for (int start = 0; start < prompts.size(); start += slots) {
            int k = Math.min(slots, prompts.size() - start);
            for (int s = 0; s < k; s++) {
                decoder.reset(s);
                len[s] = 0;
            }
            prefill(prompts.subList(start, start + k), logits);
            int[] active = new int[k], tokens = new int[k];
            int n = 0;
            for (int s = 0; s < k; s++) if (push(s, argmax(logits[s]), gen, len)) active[n++] = s;
            while (n > 0) {
                int[] ids = java.util.Arrays.copyOf(active, n), tok = new int[n];
                for (int i = 0; i < n; i++) tok[i] = gen[ids[i]][len[ids[i]] - 1];
                decoder.decode(ids, tok, logits);
                int m = 0;
                for (int i = 0; i < n; i++) if (push(ids[i], argmax(logits[i]), gen, len)) active[m++] = ids[i];
                n = m;
            }
            for (int s = 0; s < k; s++) out.add(java.util.Arrays.copyOf(gen[s], len[s]));
        }
        return out;
    }

    /** Records a generated token; true while the sequence goes on. */
    private boolean push(int s, int token, int[][] gen, int[] len) {
        gen[s][len[s]++] = token;
        return token != endToken && len[s] < maxTokens;
    }

    /** Prefills in passes that stay within the decoder's row limit; logits[s] gets prompt s's next-token logits. */
    private void prefill(List<int[]> prompts, float[][] logits) {
        int limit = decoder.maxPrefillRows();
        int i = 0;
        while (i < prompts.size()) {
            int j = i, rows = 0;
            while (j < prompts.size() && rows + prompts.get(j).length <= limit) rows += prompts.get(j++).length;
            if (j == i) throw new IllegalArgumentException("a prompt of " + prompts.get(i).length + " tokens exceeds one pass");
            int[] ids = new int[j - i];
            int[][] batch = new int[j - i][];
            for (int x = i; x < j; x++) {
                ids[x - i] = x;
                batch[x - i] = prompts.get(x);
            }
            float[][] got = decoder.prefill(ids, batch, null);
            for (int x = i; x < j; x++) logits[x] = got[x - i];
            i = j;
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
