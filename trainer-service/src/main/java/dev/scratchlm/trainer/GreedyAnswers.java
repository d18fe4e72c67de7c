package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.KvCacheDecoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy (temperature 0) answers of a model to chat prompts, eight at a time on the KV-cache decoder: what the
 * held-out generation metrics score. An answer ends at {@code <|end|>} (or {@code <|endoftext|>}) or at the context.
 */
final class GreedyAnswers {
    private static final int SLOTS = 8;

    private GreedyAnswers() {}

    static List<String> answer(Gpt model, ChatTemplate template, List<List<ChatMessage>> prompts) {
        int ctx = model.config().blockSize();
        KvCacheDecoder dec = new KvCacheDecoder(model, SLOTS, 1);
        List<String> out = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += SLOTS) {
            int k = Math.min(SLOTS, prompts.size() - from);
            int[][] tokens = new int[k][];
            int[][] answers = new int[k][ctx];
            int[] lengths = new int[k];
            boolean[] done = new boolean[k];
            float[][] logits = new float[k][];
            for (int i = 0; i < k; i++) {
                dec.reset(i);
                tokens[i] = template.renderPrompt(prompts.get(from + i));
                if (tokens[i].length >= ctx) { // no room for an answer: an empty one (scored as such)
                    done[i] = true;
                    continue;
                }
                logits[i] = dec.prefill(i, tokens[i]);
            }
            int[] slots = new int[k], step = new int[k];
            float[][] reuse = null;
            while (true) {
                int n = 0;
                for (int i = 0; i < k; i++) {
                    if (done[i]) continue;
                    int tok = argmax(logits[i]);
                    if (template.isStop(tok) || tokens[i].length + lengths[i] + 1 > ctx) {
                        done[i] = true;
                        continue;
                    }
                    answers[i][lengths[i]++] = tok;
                    slots[n] = i;
                    step[n] = tok;
                    n++;
                }
                if (n == 0) break;
                reuse = dec.decode(Arrays.copyOf(slots, n), Arrays.copyOf(step, n), reuse);
                for (int j = 0; j < n; j++) logits[slots[j]] = reuse[j].clone();
            }
            for (int i = 0; i < k; i++) {
                out.add(template.tokenizer().decodeToString(Arrays.copyOf(answers[i], lengths[i])).trim());
            }
        }
        return out;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
