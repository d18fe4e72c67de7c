package dev.scratchlm.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * A whole tokenizer on the compacted {@link Topics#TOKENIZERS} topic: enough for the trainer and chat to rebuild it.
 *
 * @param definition   the tokenizer in the BPE library's own serialized format
 * @param numberPolicy how digits are pre-split: gpt2, groups-of-3 or single
 * @param training     how it was trained (documents, bytes, seconds, languages)
 */
public record TokenizerRecord(
        int schema,
        String id,
        int vocabSize,
        String pattern,
        String numberPolicy,
        Map<String, Integer> specialTokens,
        String definition,
        Map<String, Object> training,
        Instant createdAt) {
    public static final int SCHEMA = 1;
}
