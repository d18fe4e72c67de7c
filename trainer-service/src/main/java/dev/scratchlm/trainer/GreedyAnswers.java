package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GreedyDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy (temperature 0) answers of a model to chat prompts, eight at a time on the KV-cache decoder: what the
 * held-out generation metrics score. An answer ends at {@code <|end|>} (or {@code <|endoftext|>}) or at the context.
 */
final class GreedyAnswers {
    private static final int SLOTS = 8;

    private GreedyAnswers() {}

    static List<String> answer(Gpt model, ChatTemplate template, List<List<ChatMessage>> prompts) {
        List<int[]> rendered = new ArrayList<>(prompts.size());
        for (List<ChatMessage> p : prompts) rendered.add(template.renderPrompt(p));
        // A prompt that fills the context gets an empty answer, scored as such.
        List<int[]> ids = new GreedyDecoder(model, SLOTS, 1, template::isStop).answer(rendered, model.config().blockSize());
        List<String> out = new ArrayList<>(ids.size());
        for (int[] a : ids) out.add(template.tokenizer().decodeToString(a).trim());
        return out;
    }
}
