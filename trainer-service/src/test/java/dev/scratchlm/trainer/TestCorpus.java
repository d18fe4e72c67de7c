package dev.scratchlm.trainer;

import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.gpt.Rng;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test data made here rather than fetched: a byte-level "tokenizer" (token = byte, 256 = end of text, vocabulary 257)
 * and documents of simple, repetitive sentences a tiny model learns within a few dozen steps.
 */
final class TestCorpus {
    static final int EOT = 256;
    static final int VOCAB = 257;
    private static final String[] SUBJECTS = {"the cat", "a dog", "my friend", "the old man", "our teacher", "the bird"
    };
    private static final String[] VERBS = {"sees", "likes", "finds", "keeps", "wants", "eats"};
    private static final String[] OBJECTS = {"the ball", "a red apple", "the small house", "some bread", "the green hat"
    };

    private TestCorpus() {}

    static TokenizerRecord tokenizer(String id) {
        return new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                id,
                VOCAB,
                "bytes",
                "gpt2",
                Map.of("<|endoftext|>", EOT),
                "byte-level: token = byte",
                Map.of("documents", 0),
                Instant.now());
    }

    /**
     * A byte-level tokenizer with the chat template's special tokens (ids 256..260, so {@code <|endoftext|>} is
     * {@link #EOT} as in the shards) and its whole definition, as the tokenizer service publishes one.
     */
    static TokenizerRecord chatTokenizer(String id) {
        java.util.List<byte[]> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) bytes.add(new byte[] {(byte) b});
        dev.scratchlm.bpe.Tokenizer t = dev.scratchlm.bpe.Tokenizer.create(
                        dev.scratchlm.bpe.SplitPattern.forNumberPolicy(dev.scratchlm.bpe.NumberPolicy.GPT2),
                        bytes,
                        Map.of())
                .withSpecialTokens(dev.scratchlm.bpe.ChatTemplate.SPECIAL_TOKENS);
        return new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                id,
                t.vocabSize(),
                "gpt2",
                "gpt2",
                t.specialTokens(),
                dev.scratchlm.bpe.ScratchFormat.toText(t),
                Map.of("documents", 0),
                Instant.now());
    }

    static String document(Rng rng) {
        StringBuilder sb = new StringBuilder();
        int sentences = 3 + rng.nextInt(4);
        for (int i = 0; i < sentences; i++) {
            sb.append(SUBJECTS[rng.nextInt(SUBJECTS.length)])
                    .append(' ')
                    .append(VERBS[rng.nextInt(VERBS.length)])
                    .append(' ')
                    .append(OBJECTS[rng.nextInt(OBJECTS.length)])
                    .append(". ");
        }
        return sb.toString();
    }

    /** Shards of {@code docsPerShard} documents each; every document is its bytes followed by end-of-text. */
    static List<TokenShard> shards(String tokenizerId, String split, int shards, int docsPerShard, long seed) {
        Rng rng = new Rng(seed);
        List<TokenShard> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            List<String> ids = new ArrayList<>();
            List<Integer> tokens = new ArrayList<>();
            for (int d = 0; d < docsPerShard; d++) {
                String doc = document(rng);
                ids.add(split + "-" + seed + "-" + s + "-" + d);
                for (byte b : doc.getBytes(StandardCharsets.UTF_8)) tokens.add(b & 0xff);
                tokens.add(EOT);
            }
            int[] t = tokens.stream().mapToInt(Integer::intValue).toArray();
            // Shard s holds documents published up to 2020-01-01 + s days: the knowledge cutoff follows the data.
            out.add(new TokenShard(
                    TokenShard.SCHEMA,
                    tokenizerId + "-" + split + "-" + s,
                    tokenizerId,
                    split,
                    ids,
                    t.length,
                    TokenShard.bytesPerTokenFor(VOCAB),
                    t,
                    java.time.LocalDate.of(2020, 1, 1).plusDays(s)));
        }
        return out;
    }
}
