package dev.scratchlm.contracts;

import dev.scratchlm.bpe.ChatMessage;
import java.time.Instant;
import java.util.List;

/**
 * One rater's ordering of a generation's candidates, best first; on {@link Topics#RANKINGS}, keyed by task id.
 * Self-contained (prompt and candidate texts travel with it) so the trainer reads preferences from this topic alone.
 *
 * @param id         unique per submitted ranking (a task ranked by several raters has several)
 * @param prompt     the conversation the candidates answer (system and user turns)
 * @param candidates the candidate answers, indexed by {@code order}
 * @param order      groups of candidate indexes, best group first; candidates in one group are tied; a candidate
 *                   in no group was not ranked (e.g. flagged unusable)
 * @param source     {@link #HUMAN}, {@link #RULE} or {@link #AI}
 */
public record Ranking(
        int schema,
        String id,
        String taskId,
        String campaignId,
        String checkpointId,
        List<ChatMessage> prompt,
        List<String> candidates,
        List<List<Integer>> order,
        String rater,
        String source,
        Instant createdAt) {
    public static final int SCHEMA = 2;
    public static final String HUMAN = "human";
    public static final String RULE = "rule";
    public static final String AI = "ai";
}
