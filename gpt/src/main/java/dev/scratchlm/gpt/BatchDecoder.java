package dev.scratchlm.gpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Answers to many prompts at once on the KV-cache decoder: up to {@code slots} prompts are prefilled together, then
 * every sequence that has not stopped advances by one token, all in one decode step. Greedy (the most likely token)
 * unless a {@link Sampler} is given. What held-out generation metrics (SFT's BLEU and slot error, best-of-n under a
 * reward model, the arithmetic lab's exact match) score.
 */
public final class BatchDecoder {
    private final KvCacheDecoder decoder;
    private final int slots, context;
    private final IntPredicate stop;

    /** @param stop the tokens that end an answer (not part of it) */
    public BatchDecoder(Gpt model, int slots, int threads, IntPredicate stop) {
        this.decoder = new KvCacheDecoder(model, slots, threads);
        this.slots = slots;
        this.context = model.config().blockSize();
        this.stop = stop;
    }

    /**
     * For each prompt, the tokens generated before a stop token, at most {@code maxTokens} and never past the
     * context; a prompt that leaves no room gets an empty answer.
     */
    public List<int[]> answer(List<int[]> prompts, int maxTokens) {
        return answer(prompts, maxTokens, null);
    }

    /**
     * As {@link #answer(List, int)}, each token drawn by {@code sampler} (null: greedy). Slots draw in a fixed order
     * from the one sampler, so a seed gives the same answers.
     */
    public List<int[]> answer(List<int[]> prompts, int maxTokens, Sampler sampler) {
        List<int[]> out = new ArrayList<>(prompts.size());
        float[][] logits = new float[slots][];
        int[][] gen = new int[slots][];
        int[] len = new int[slots], room = new int[slots], active = new int[slots], step = new int[slots];
        for (int start = 0; start < prompts.size(); start += slots) {
            int k = Math.min(slots, prompts.size() - start);
            List<Integer> fill = new ArrayList<>();
            for (int s = 0; s < k; s++) {
                decoder.reset(s);
                len[s] = 0;
                room[s] = Math.max(0, Math.min(maxTokens, context - prompts.get(start + s).length));
                gen[s] = new int[room[s]];
                if (room[s] > 0) fill.add(s);
            }
            prefill(prompts, start, fill, logits);
            int n = 0;
            for (int s : fill) if (push(s, next(logits[s], sampler), gen, len, room)) active[n++] = s;
            float[][] reuse = null;
            while (n > 0) {
                int[] ids = Arrays.copyOf(active, n);
                for (int i = 0; i < n; i++) step[i] = gen[ids[i]][len[ids[i]] - 1];
                reuse = decoder.decode(ids, Arrays.copyOf(step, n), reuse);
                int m = 0;
                for (int i = 0; i < n; i++)
                    if (push(ids[i], next(reuse[i], sampler), gen, len, room)) active[m++] = ids[i];
                n = m;
            }
            for (int s = 0; s < k; s++) out.add(Arrays.copyOf(gen[s], len[s]));
        }
        return out;
    }

    /** Records a generated token unless it stops the answer; true while the sequence goes on. */
    private boolean push(int s, int token, int[][] gen, int[] len, int[] room) {
        if (stop.test(token)) return false;
        gen[s][len[s]++] = token;
        return len[s] < room[s];
    }

    /** Prefills in passes within the decoder's row limit; logits[s] gets slot s's next-token logits. */
    private void prefill(List<int[]> prompts, int start, List<Integer> fill, float[][] logits) {
        int limit = decoder.maxPrefillRows();
        int i = 0;
        while (i < fill.size()) {
            int j = i, rows = 0;
            while (j < fill.size() && rows + prompts.get(start + fill.get(j)).length <= limit)
                rows += prompts.get(start + fill.get(j++)).length;
            if (j == i)
                throw new IllegalArgumentException(
                        "a prompt of " + prompts.get(start + fill.get(i)).length + " tokens exceeds one pass");
            int[] ids = new int[j - i];
            int[][] batch = new int[j - i][];
            for (int x = i; x < j; x++) {
                ids[x - i] = fill.get(x);
                batch[x - i] = prompts.get(start + fill.get(x));
            }
            float[][] got = decoder.prefill(ids, batch, null);
            for (int x = i; x < j; x++) logits[fill.get(x)] = got[x - i].clone();
            i = j;
        }
    }

    private static int next(float[] logits, Sampler sampler) {
        return sampler == null ? argmax(logits) : sampler.sample(logits).token();
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
