package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.time.Instant;
import java.util.List;

/** A prompt and k candidate completions from one checkpoint, for raters to rank; on {@link Topics#GENERATIONS}. */
public record Generation(int schema, String taskId, String campaignId, String checkpointId, List<ChatMessage> prompt,
                         List<String> candidates, Instant createdAt) {
    public static final int SCHEMA = 2;
}
