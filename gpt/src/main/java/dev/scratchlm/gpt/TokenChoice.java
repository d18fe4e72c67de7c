package dev.scratchlm.gpt;

import java.util.List;

/**
 * A sampled token with what the chat UI shows: its probability under the model (softmax of the raw
 * logits, temperature 1, before any top-k/top-p truncation) and the most likely alternatives.
 *
 * @param token        chosen token id
 * @param prob         model probability of the chosen token
 * @param logprob      natural log of {@code prob}
 * @param alternatives the top-N tokens by model probability, most likely first (may include the chosen one)
 */
public record TokenChoice(int token, float prob, float logprob, List<Alternative> alternatives) {
    /** A candidate token and its model probability. */
    public record Alternative(int token, float prob, float logprob) {}
}
