package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.contracts.TokenShard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardStoreTest {
    @TempDir
    Path dir;

    static TokenShard shard(String id, String tokenizer, String split, int docs, int... tokens) {
        List<String> docIds =
                IntStream.range(0, docs).mapToObj(i -> id + "-doc" + i).toList();
        return new TokenShard(TokenShard.SCHEMA, id, tokenizer, split, docIds, tokens.length, 2, tokens);
    }

    static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    static int[] read(TokenView v) {
        int[] out = new int[(int) v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    @Test
    void appendsBySplitAndSkipsARedeliveredShardEvenAfterReopening() {
        try (ShardStore store = new ShardStore(dir)) {
            assertThat(store.append(shard("s1", "tok", "train", 2, range(0, 100))))
                    .isEqualTo(ShardStore.Result.STORED);
            assertThat(store.append(shard("s2", "tok", "val", 1, range(500, 530))))
                    .isEqualTo(ShardStore.Result.STORED);
            assertThat(store.append(shard("s3", "tok", "train", 3, range(100, 150))))
                    .isEqualTo(ShardStore.Result.STORED);
            assertThat(store.append(shard("s1", "tok", "train", 2, range(0, 100))))
                    .isEqualTo(ShardStore.Result.DUPLICATE);
            ShardStore.Stats s = store.stats("tok");
            assertThat(s.trainTokens()).isEqualTo(150);
            assertThat(s.valTokens()).isEqualTo(30);
            assertThat(s.trainShards()).isEqualTo(2);
            assertThat(s.trainDocuments()).isEqualTo(5);
            assertThat(s.valDocuments()).isEqualTo(1);
            assertThat(s.maxTokenId()).isEqualTo(529);
            assertThat(read(store.view("tok", "train", 150))).containsExactly(range(0, 150));
        }
        try (ShardStore reopened = new ShardStore(dir)) {
            assertThat(reopened.append(shard("s3", "tok", "train", 3, range(100, 150))))
                    .isEqualTo(ShardStore.Result.DUPLICATE);
            assertThat(reopened.stats("tok").trainTokens()).isEqualTo(150);
            assertThat(read(reopened.view("tok", "val", 30))).containsExactly(range(500, 530));
            assertThat(reopened.entries("tok", "train", 150))
                    .extracting(ShardStore.Entry::shardId)
                    .containsExactly("s1", "s3");
            // A job's snapshot of the first 100 tokens covers only the first shard.
            assertThat(reopened.entries("tok", "train", 100))
                    .extracting(ShardStore.Entry::shardId)
                    .containsExactly("s1");
        }
    }

    @Test
    void remembersTheNewestDocumentDateOfEachShard() {
        try (ShardStore store = new ShardStore(dir)) {
            store.append(new TokenShard(
                    1,
                    "d1",
                    "tok",
                    "train",
                    List.of("a"),
                    2,
                    2,
                    new int[] {1, 2},
                    java.time.LocalDate.of(2011, 11, 17)));
            store.append(shard("d2", "tok", "train", 1, 3, 4));
        }
        try (ShardStore store = new ShardStore(dir)) {
            assertThat(store.entries("tok", "train", 4))
                    .extracting(ShardStore.Entry::latestDate)
                    .containsExactly("2011-11-17", null);
        }
    }

    @Test
    void aViewIsAFixedPrefixThatLaterAppendsDoNotChange() {
        try (ShardStore store = new ShardStore(dir)) {
            store.append(shard("a", "tok", "train", 1, range(0, 10)));
            TokenView view = store.view("tok", "train", 10);
            store.append(shard("b", "tok", "train", 1, range(10, 20)));
            assertThat(view.size()).isEqualTo(10);
            assertThat(read(view)).containsExactly(range(0, 10));
            assertThatThrownBy(() -> view.get(10)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void tokensWrittenWithoutTheirIndexLineAreForgottenAfterACrash() throws IOException {
        Path tokDir;
        try (ShardStore store = new ShardStore(dir)) {
            store.append(shard("a", "tok", "train", 1, range(0, 10)));
            tokDir = dir.resolve(ShardStore.dirName("tok"));
        }
        // A crash after the tokens of shard "x" were forced but before its index line was complete.
        try (var ch = java.nio.channels.FileChannel.open(tokDir.resolve("train.tokens"), StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9, 9}), 20);
        }
        Files.writeString(
                tokDir.resolve("shards.jsonl"),
                "{\"shardId\":\"x\",\"spl",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        try (ShardStore store = new ShardStore(dir)) {
            assertThat(store.stats("tok").trainTokens()).isEqualTo(10);
            assertThat(store.contains("tok", "x")).isFalse();
            assertThat(store.append(shard("x", "tok", "train", 1, range(10, 13))))
                    .isEqualTo(ShardStore.Result.STORED);
            assertThat(read(store.view("tok", "train", 13))).containsExactly(range(0, 13));
        }
        try (ShardStore store = new ShardStore(dir)) {
            assertThat(store.entries("tok", "train", 13))
                    .extracting(ShardStore.Entry::shardId)
                    .containsExactly("a", "x");
        }
    }

    @Test
    void growsItsMappingPastOneIncrement() {
        int n = 5_000_000; // 20 MB of 4-byte ids: past the 16 MB growth step
        int[] big = new int[n];
        for (int i = 0; i < n; i++) big[i] = 70_000 + (i % 1000);
        try (ShardStore store = new ShardStore(dir)) {
            store.append(new TokenShard(1, "big1", "wide", "train", List.of("d"), n, 4, big));
            store.append(new TokenShard(1, "big2", "wide", "train", List.of("e"), 3, 4, new int[] {1, 2, 3}));
            TokenView v = store.view("wide", "train", n + 3L);
            assertThat(v.get(0)).isEqualTo(70_000);
            assertThat(v.get(n - 1)).isEqualTo(70_000 + (n - 1) % 1000);
            assertThat(v.get(n + 2)).isEqualTo(3);
        }
    }

    @Test
    void refusesWhatItCannotStore() {
        try (ShardStore store = new ShardStore(dir)) {
            assertThatThrownBy(() -> store.append(shard("t", "tok", "test", 1, 1, 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("split 'test'");
            store.append(shard("a", "tok", "train", 1, 1, 2));
            // The tokenizer's first shard fixed 2 bytes per token: a larger id cannot be stored losslessly.
            assertThatThrownBy(() -> store.append(
                            new TokenShard(1, "b", "tok", "train", List.of("d"), 1, 4, new int[] {70_000})))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("70000");
            assertThat(store.stats("tok").trainTokens()).isEqualTo(2);
        }
    }
}
