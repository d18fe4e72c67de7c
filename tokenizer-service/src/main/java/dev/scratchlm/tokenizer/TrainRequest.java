package dev.scratchlm.tokenizer;

import java.util.List;

/**
 * Body of {@code POST /api/tokenizers}.
 *
 * @param vocabSize        total ids: 256 bytes + merges + the 5 special tokens
 * @param numbers          number policy: gpt2, groups-of-3 or single
 * @param languages        train only on documents in these languages (ISO 639-1); all when absent
 * @param sampleBytes      at most this much text (UTF-8) is trained on; default 20 MB
 * @param name             a label for people; the id is the tokenizer's content hash
 * @param minPairFrequency stop merging when the best pair is rarer than this; default 2
 */
public record TrainRequest(
        Integer vocabSize,
        String numbers,
        List<String> languages,
        Long sampleBytes,
        String name,
        Long minPairFrequency) {}
