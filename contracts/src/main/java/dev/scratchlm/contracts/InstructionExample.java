package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.util.List;

/**
 * A supervised fine-tuning example on {@link Topics#INSTRUCTIONS}: the model learns the assistant turns.
 *
 * @param dataset the instruction set it was imported into (what an SFT job selects)
 * @param format  the import format it came from: openai, alpaca, sharegpt, e2e or identity
 * @param split   {@link #TRAIN} or {@link #HELDOUT}, decided by a hash of {@code group}
 * @param group   the unit of the split: for E2E the meaning representation, so one MR never sits on both sides;
 *                otherwise the example's own content hash
 */
public record InstructionExample(
        int schema, String id, String dataset, String format, String split, String group, List<ChatMessage> messages) {
    public static final int SCHEMA = 2;
    public static final String TRAIN = "train";
    public static final String HELDOUT = "heldout";
}
