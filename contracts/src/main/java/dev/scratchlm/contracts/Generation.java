package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.time.Instant;
import java.util.List;

/**
 * A prompt and k candidate completions from one checkpoint, for raters to rank; on {@link Topics#GENERATIONS}, keyed
 * by task id. A request chat-service cannot answer (unknown model, a prompt longer than the context) comes back with
 * no candidates and the reason in {@code error}, so the campaign shows it instead of waiting forever.
 *
 * @param checkpointId the checkpoint that actually decoded (an alias in the request is resolved), or null on error
 * @param error        null when the candidates were generated
 */
public record Generation(
        int schema,
        String taskId,
        String campaignId,
        String checkpointId,
        List<ChatMessage> prompt,
        List<String> candidates,
        String error,
        Instant createdAt) {
    public static final int SCHEMA = 3;
}
