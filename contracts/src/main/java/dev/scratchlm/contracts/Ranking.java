package dev.scratchlm.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A rater's ordering of a generation's candidates, best first; on {@link Topics#RANKINGS}.
 *
 * @param order  groups of candidate indexes, best group first; candidates in one group are tied
 * @param source human, ai or rule
 */
public record Ranking(int schema, String taskId, List<List<Integer>> order, String rater, String source,
                      Instant createdAt) {
    public static final int SCHEMA = 1;
}
