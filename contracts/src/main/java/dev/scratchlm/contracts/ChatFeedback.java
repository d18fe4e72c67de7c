package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.time.Instant;
import java.util.List;

/** Thumbs up or down on one chat answer, on {@link Topics#CHAT_FEEDBACK}. */
public record ChatFeedback(
        int schema,
        String answerId,
        String model,
        List<ChatMessage> prompt,
        String answer,
        boolean thumbsUp,
        String comment,
        Instant createdAt) {
    public static final int SCHEMA = 1;
}
