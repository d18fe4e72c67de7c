package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.contracts.TokenShard;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardPackerTest {
    private static final int EOT = 999;

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = (seed * 31 + i) % 900;
        return t;
    }

    @Test
    void smallDocumentsGoWholeIntoOneShardEachFollowedByEndOfText() {
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, TokenShard.MAX_RECORD_BYTES);
        assertThat(packer.add(0, 10, "a", "train", LocalDate.of(2004, 3, 30), 10, tokens(5, 1)))
                .isEmpty();
        assertThat(packer.add(0, 11, "b", "train", LocalDate.of(2001, 1, 1), 10, tokens(3, 2)))
                .isEmpty();
        List<ShardPacker.Packed> out = packer.flush();
        assertThat(out).hasSize(1);
        TokenShard s = out.get(0).shard();
        assertThat(s.shardId()).isEqualTo("tok-train-p0-o10");
        assertThat(s.documentIds()).containsExactly("a", "b");
        assertThat(s.latestDate()).isEqualTo(LocalDate.of(2004, 3, 30));
        assertThat(s.bytesPerToken()).isEqualTo(2);
        int[] expected = new int[10];
        System.arraycopy(tokens(5, 1), 0, expected, 0, 5);
        expected[5] = EOT;
        System.arraycopy(tokens(3, 2), 0, expected, 6, 3);
        expected[9] = EOT;
        assertThat(s.tokens()).containsExactly(expected);
        assertThat(packer.flush()).as("flush empties the packer").isEmpty();
    }

    @Test
    void everyDocumentGetsItsDateTokenRangeAndByteSizeInTheHeader() {
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, TokenShard.MAX_RECORD_BYTES);
        packer.add(0, 10, "a", "train", LocalDate.of(2004, 3, 30), 17, tokens(5, 1));
        packer.add(0, 11, "b", "train", null, 4, tokens(3, 2));
        TokenShard s = TokenShard.decode(packer.flush().get(0).shard().encode());
        assertThat(s.schema()).isEqualTo(2);
        assertThat(s.spans())
                .containsExactly(
                        new dev.scratchlm.contracts.DocumentSpan(LocalDate.of(2004, 3, 30), 0, 6, 17),
                        new dev.scratchlm.contracts.DocumentSpan(null, 6, 4, 4));
    }

    @Test
    void eachPartitionAndSplitHasItsOwnStream() {
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, TokenShard.MAX_RECORD_BYTES);
        packer.add(0, 1, "a", "train", null, 10, tokens(2, 1));
        packer.add(0, 2, "b", "val", null, 10, tokens(2, 2));
        packer.add(3, 7, "c", "train", null, 10, tokens(2, 3));
        List<ShardPacker.Packed> out = packer.flush();
        assertThat(out)
                .extracting(p -> p.shard().shardId())
                .containsExactly("tok-train-p0-o1", "tok-val-p0-o2", "tok-train-p3-o7");
        assertThat(out).extracting(ShardPacker.Packed::documentsPartition).containsExactly(0, 0, 3);
        assertThat(out.get(1).shard().split()).isEqualTo("val");
        assertThat(out.get(0).shard().latestDate()).isNull();
    }

    @Test
    void aDocumentThatDoesNotFitClosesTheShardAndStartsTheNext() {
        int limit = 2048;
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, limit);
        List<ShardPacker.Packed> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) out.addAll(packer.add(1, 100 + i, "doc" + i, "train", null, 10, tokens(150, i)));
        out.addAll(packer.flush());
        assertThat(out.size()).isGreaterThan(2);
        int seen = 0;
        for (ShardPacker.Packed p : out) {
            assertThat(p.shard().encode().length).isLessThanOrEqualTo(limit);
            // Whole documents only: each shard's token count is a multiple of 151.
            assertThat(p.shard().tokenCount() % 151).isZero();
            seen += p.shard().documentIds().size();
        }
        assertThat(seen).isEqualTo(20);
    }

    @Test
    void aDocumentLongerThanAShardIsCutIntoConsecutiveShardsOfTheSameSplit() {
        int limit = 1024;
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, limit);
        packer.add(2, 40, "small", "val", null, 10, tokens(10, 1));
        int[] big = tokens(2000, 7);
        List<ShardPacker.Packed> out =
                new ArrayList<>(packer.add(2, 41, "big", "val", LocalDate.of(2020, 1, 1), 10, big));
        out.addAll(packer.add(2, 42, "after", "val", null, 10, tokens(5, 3)));
        out.addAll(packer.flush());

        assertThat(out.get(0).shard().documentIds()).containsExactly("small");
        List<TokenShard> parts = out.subList(1, out.size()).stream()
                .map(ShardPacker.Packed::shard)
                .toList();
        assertThat(parts.size()).isGreaterThanOrEqualTo(4);
        assertThat(parts.get(0).shardId()).isEqualTo("tok-val-p2-o41");
        for (int k = 1; k < parts.size(); k++)
            assertThat(parts.get(k).shardId()).isEqualTo("tok-val-p2-o41-" + k);
        for (TokenShard p : parts) {
            assertThat(p.encode().length).isLessThanOrEqualTo(limit);
            assertThat(p.documentIds()).startsWith("big");
            assertThat(p.split()).isEqualTo("val");
            assertThat(p.latestDate()).isEqualTo(LocalDate.of(2020, 1, 1));
        }
        // Each part's span covers what it holds of the document: all of a middle part, the head of the last one.
        for (TokenShard p : parts.subList(0, parts.size() - 1)) {
            assertThat(p.spans())
                    .singleElement()
                    .satisfies(d -> assertThat(d.length()).isEqualTo(p.tokenCount()));
        }
        assertThat(parts.get(parts.size() - 1).spans()).hasSize(2);
        // The parts, in order, are exactly the document and its end-of-text; the last one takes the next document.
        int[] joined =
                parts.stream().flatMapToInt(p -> Arrays.stream(p.tokens())).toArray();
        int[] expected = new int[2001 + 6];
        System.arraycopy(big, 0, expected, 0, 2000);
        expected[2000] = EOT;
        System.arraycopy(tokens(5, 3), 0, expected, 2001, 5);
        expected[2006] = EOT;
        assertThat(joined).containsExactly(expected);
        assertThat(parts.get(parts.size() - 1).documentIds()).containsExactly("big", "after");
        for (TokenShard p : parts.subList(0, parts.size() - 1)) {
            assertThat(Arrays.stream(p.tokens()).filter(t -> t == EOT).count())
                    .as("only the last part ends the document")
                    .isZero();
        }
    }

    @Test
    void theHeaderCountsTowardsTheLimitWhenManyDocumentsShareAShard() {
        int limit = 4096;
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, limit);
        List<ShardPacker.Packed> out = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String id = "%064x".formatted(i); // SHA-256-sized ids: 67 header bytes each
            out.addAll(packer.add(0, i, id, "train", LocalDate.of(2000, 1, 1).plusDays(i), 10, new int[0]));
        }
        out.addAll(packer.flush());
        assertThat(out.size()).isGreaterThan(5);
        for (int i = 0; i < out.size(); i++) {
            int size = out.get(i).shard().encode().length;
            assertThat(size).isLessThanOrEqualTo(limit);
            // Closed ones are full: the next document's ~130 bytes (id, span, end-of-text) would not have fitted.
            if (i < out.size() - 1)
                assertThat(size).as("shards are filled, not cut early").isGreaterThan(limit - 160);
        }
    }

    @Test
    void largeVocabulariesUseFourBytesPerToken() {
        ShardPacker packer = new ShardPacker("tok", 70_000, 70_001, TokenShard.MAX_RECORD_BYTES);
        packer.add(0, 0, "a", "train", null, 10, new int[] {69_999, 65_536});
        TokenShard s = packer.flush().get(0).shard();
        assertThat(s.bytesPerToken()).isEqualTo(4);
        assertThat(TokenShard.decode(s.encode()).tokens()).containsExactly(69_999, 65_536, 70_000);
    }

    @Test
    void clearForgetsOpenShards() {
        ShardPacker packer = new ShardPacker("tok", EOT, 1000, TokenShard.MAX_RECORD_BYTES);
        packer.add(0, 0, "a", "train", null, 10, tokens(3, 1));
        packer.clear();
        assertThat(packer.flush()).isEmpty();
    }

    @Test
    void refusesALimitWithNoRoomForTokens() {
        assertThatThrownBy(() -> new ShardPacker("tok", EOT, 1000, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no room");
    }

    /** Random documents and limits: every invariant a consumer of token-shards relies on. */
    @Test
    void randomStreamsReassembleExactly() {
        Random random = new Random(42);
        for (int round = 0; round < 30; round++) {
            int limit = 600 + random.nextInt(6000);
            ShardPacker packer = new ShardPacker("t" + round, EOT, 1000, limit);
            Map<String, int[]> docs = new HashMap<>();
            Map<String, List<Integer>> expectedStream = new HashMap<>();
            List<ShardPacker.Packed> out = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int partition = random.nextInt(4);
                String split = random.nextInt(20) == 0 ? "val" : "train";
                int n = random.nextInt(10) == 0 ? random.nextInt(8000) : random.nextInt(200);
                int[] t = tokens(n, i);
                String id = "d" + i;
                docs.put(id, t);
                List<Integer> stream = expectedStream.computeIfAbsent(partition + "/" + split, k -> new ArrayList<>());
                for (int x : t) stream.add(x);
                stream.add(EOT);
                out.addAll(packer.add(partition, i, id, split, null, 10, t));
                if (random.nextInt(50) == 0) out.addAll(packer.flush()); // a transaction commits
            }
            out.addAll(packer.flush());
            Map<String, List<Integer>> actual = new HashMap<>();
            Map<String, Integer> listed = new HashMap<>();
            for (ShardPacker.Packed p : out) {
                TokenShard s = p.shard();
                assertThat(s.encode().length).isLessThanOrEqualTo(limit);
                List<Integer> stream =
                        actual.computeIfAbsent(p.documentsPartition() + "/" + s.split(), k -> new ArrayList<>());
                for (int x : s.tokens()) stream.add(x);
                for (String id : s.documentIds()) listed.merge(id, 1, Integer::sum);
            }
            assertThat(actual).isEqualTo(expectedStream);
            // A document is listed in more than one shard only if it could not fit an empty one.
            int capacity = (limit - 400) / 2;
            for (Map.Entry<String, Integer> e : listed.entrySet()) {
                if (docs.get(e.getKey()).length + 1 < capacity)
                    assertThat(e.getValue()).as(e.getKey()).isEqualTo(1);
            }
            assertThat(listed.keySet()).isEqualTo(docs.keySet());
            assertThat(out.stream().map(p -> p.shard().shardId()).distinct().count())
                    .isEqualTo(out.size());
        }
    }
}
