package dev.scratchlm.feedback.campaign;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TopicScan;
import dev.scratchlm.contracts.Topics;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign's prompts from held-out instruction examples ({@code instructions} topic, split {@code heldout}): each
 * example's conversation up to its last user turn, one prompt per group (an E2E meaning representation has several
 * reference answers: one task), in the order the examples were imported. Held out, so the SFT model never trained on
 * them and rankings of its answers measure what it learned.
 */
public final class InstructionPrompts {
    private InstructionPrompts() {}

    /** At most {@code limit} prompts of {@code dataset}; empty when it has no held-out examples. */
    public static List<List<ChatMessage>> heldOut(String bootstrap, String dataset, int limit) {
        Map<String, List<ChatMessage>> byGroup = new LinkedHashMap<>();
        TopicScan.readAll(bootstrap, List.of(Topics.INSTRUCTIONS), r -> {
            InstructionExample e;
            try {
                e = Json.read(r.value(), InstructionExample.class);
            } catch (UncheckedIOException | IllegalArgumentException bad) {
                return; // the trainer dead-letters what does not read; it is no one's prompt
            }
            if (e.messages() == null || !dataset.equals(e.dataset()) || !InstructionExample.HELDOUT.equals(e.split()))
                return;
            if (byGroup.size() >= limit || byGroup.containsKey(e.group())) return;
            List<ChatMessage> prompt = new ArrayList<>(e.messages());
            while (!prompt.isEmpty() && prompt.get(prompt.size() - 1).role() != ChatMessage.Role.USER)
                prompt.remove(prompt.size() - 1);
            if (!prompt.isEmpty()) byGroup.put(e.group(), prompt);
        });
        return new ArrayList<>(byGroup.values());
    }
}
