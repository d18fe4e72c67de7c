package dev.scratchlm.tokenizer;

import java.time.Instant;
import java.util.Map;

/**
 * A registry row: a trained tokenizer and how it was made.
 *
 * @param definition the ScratchFormat text (null in listings, which leave it out)
 * @param training   documents, bytes, seconds, languages, validation bytes per token ... (see {@link TrainingService})
 */
public record StoredTokenizer(
        String id,
        String name,
        int vocabSize,
        String pattern,
        String numberPolicy,
        Map<String, Integer> specialTokens,
        String definition,
        Map<String, Object> training,
        Instant createdAt,
        boolean active,
        Instant activatedAt) {}
