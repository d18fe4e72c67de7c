package dev.scratchlm.contracts;

import java.util.List;

/** A supervised fine-tuning example on {@link Topics#INSTRUCTIONS}: the model learns the assistant turns. */
public record InstructionExample(int schema, String id, List<ChatMessage> messages, String source) {
    public static final int SCHEMA = 1;
}
