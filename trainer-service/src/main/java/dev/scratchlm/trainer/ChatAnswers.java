package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.gpt.BatchDecoder;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.Sampler;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's answers to chat prompts, eight at a time on the KV-cache decoder: greedy (temperature 0) for the held-out
 * generation metrics, or sampled for best-of-n. An answer ends at {@code <|end|>} (or {@code <|endoftext|>}) or at
 * the context; a prompt that fills the context gets an empty answer, scored as such.
 */
final class ChatAnswers {
    private static final int SLOTS = 8;

    private ChatAnswers() {}

    static List<String> greedy(Gpt model, ChatTemplate template, List<List<ChatMessage>> prompts) {
        return answer(model, template, prompts, null);
    }

    /** @param sampler null: greedy; else every token is drawn from it, prompts in order */
    static List<String> answer(Gpt model, ChatTemplate template, List<List<ChatMessage>> prompts, Sampler sampler) {
        List<int[]> rendered = new ArrayList<>(prompts.size());
        for (List<ChatMessage> p : prompts) rendered.add(template.renderPrompt(p));
        boolean was = model.isTraining();
        model.setTraining(false);
        try {
            List<int[]> ids = new BatchDecoder(model, SLOTS, 1, template::isStop)
                    .answer(rendered, model.config().blockSize(), sampler);
            List<String> out = new ArrayList<>(ids.size());
            for (int[] a : ids) out.add(template.tokenizer().decodeToString(a).trim());
            return out;
        } finally {
            model.setTraining(was);
        }
    }
}
