package dev.scratchlm.feedback.judge;

import dev.scratchlm.bpe.ChatMessage;
import java.util.List;
import java.util.Optional;

/**
 * A rater that is not a person: it orders a task's candidates and its rankings go through the same path as a
 * person's, labelled with {@link #source()} ({@code rule} or {@code ai}) and rated as {@link #name()}.
 */
public interface Judge {
    /** The rater name its rankings carry, e.g. {@code rule:slot-error}. */
    String name();

    /** {@code dev.scratchlm.contracts.Ranking#RULE} or {@code #AI}. */
    String source();

    /** Groups of candidate indexes, best first, ties in one group; empty when this judge cannot rank the task. */
    Optional<List<List<Integer>>> rank(List<ChatMessage> prompt, List<String> candidates);
}
