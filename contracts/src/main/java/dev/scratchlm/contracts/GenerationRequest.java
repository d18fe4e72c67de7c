package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.time.Instant;
import java.util.List;

/**
 * A request for k candidate answers to one prompt, from a ranking campaign; on {@link Topics#GENERATION_REQUESTS},
 * keyed by task id. chat-service answers with a {@link Generation} of the same task id.
 *
 * @param model a chat model alias or checkpoint id
 */
public record GenerationRequest(
        int schema,
        String taskId,
        String campaignId,
        String model,
        List<ChatMessage> prompt,
        int k,
        double temperature,
        double topP,
        int maxTokens,
        long seed,
        Instant createdAt) {
    public static final int SCHEMA = 1;
}
