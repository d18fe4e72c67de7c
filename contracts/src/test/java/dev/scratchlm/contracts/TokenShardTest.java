package dev.scratchlm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenShardTest {

    @Test
    void sixteenBitIdsRoundTripIncludingTheHighestId() {
        int[] ids = {0, 1, 255, 256, 32767, 32768, 65535};
        TokenShard shard = new TokenShard(
                TokenShard.SCHEMA, "s1", "tok", TokenShard.TRAIN, List.of("d1", "d2"), ids.length, 2, ids);
        byte[] bytes = shard.encode();
        TokenShard back = TokenShard.decode(bytes);
        assertThat(back.tokens()).containsExactly(ids);
        assertThat(back.documentIds()).containsExactly("d1", "d2");
        assertThat(back.split()).isEqualTo("train");
        // 2 bytes per id on the wire, plus the header.
        assertThat(bytes.length).isLessThan(8 + 300 + ids.length * 2);
    }

    @Test
    void theNewestDocumentDateTravelsWithTheShard() {
        TokenShard shard = new TokenShard(
                1, "s", "t", "train", List.of("d"), 1, 2, new int[] {7}, java.time.LocalDate.of(2011, 11, 30));
        assertThat(TokenShard.decode(shard.encode()).latestDate()).isEqualTo("2011-11-30");
        assertThat(TokenShard.decode(new TokenShard(1, "s", "t", "train", List.of("d"), 1, 2, new int[] {7}).encode())
                        .latestDate())
                .isNull();
    }

    @Test
    void eachDocumentsDateAndTokenRangeTravelWithTheShard() {
        List<DocumentSpan> spans = List.of(
                new DocumentSpan(java.time.LocalDate.of(2005, 12, 31), 0, 2, 11), new DocumentSpan(null, 2, 1, 3));
        TokenShard back = TokenShard.decode(new TokenShard(
                        TokenShard.SCHEMA,
                        "s",
                        "t",
                        "train",
                        List.of("a", "b"),
                        3,
                        2,
                        new int[] {7, 0, 0},
                        java.time.LocalDate.of(2005, 12, 31),
                        spans)
                .encode());
        assertThat(back.schema()).isEqualTo(2);
        assertThat(back.spans()).isEqualTo(spans);
        assertThatThrownBy(() -> new TokenShard(
                        2,
                        "s",
                        "t",
                        "train",
                        List.of("a"),
                        3,
                        2,
                        new int[3],
                        null,
                        List.of(new DocumentSpan(null, 2, 2, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside");
    }

    @Test
    void aSchemaOneShardWithoutSpansStillReads() {
        byte[] header =
                "{\"schema\":1,\"shardId\":\"old\",\"tokenizerId\":\"t\",\"split\":\"train\",\"documentIds\":[\"d\"],\"tokenCount\":1,\"bytesPerToken\":2,\"latestDate\":\"2001-01-02\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 2);
        b.put("SLS1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(header.length)
                .put(header)
                .put((byte) 7)
                .put((byte) 0);
        TokenShard old = TokenShard.decode(b.array());
        assertThat(old.schema()).isEqualTo(1);
        assertThat(old.spans()).isNull();
        assertThat(old.tokens()).containsExactly(7);
        assertThat(old.latestDate()).isEqualTo("2001-01-02");
    }

    @Test
    void largeVocabulariesUseFourBytes() {
        assertThat(TokenShard.bytesPerTokenFor(65536)).isEqualTo(2);
        assertThat(TokenShard.bytesPerTokenFor(65537)).isEqualTo(4);
        int[] ids = {70000, 5, 1 << 20};
        TokenShard back = TokenShard.decode(new TokenShard(1, "s", "t", "val", List.of("d"), 3, 4, ids).encode());
        assertThat(back.tokens()).containsExactly(ids);
    }

    @Test
    void truncatedOrForeignBytesAreRefused() {
        byte[] good = new TokenShard(1, "s", "t", "val", List.of("d"), 3, 2, new int[] {1, 2, 3}).encode();
        assertThatThrownBy(() -> TokenShard.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 6");
        assertThatThrownBy(() -> TokenShard.decode("not a shard".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void countMustMatchTheIds() {
        assertThatThrownBy(() -> new TokenShard(1, "s", "t", "val", List.of(), 4, 2, new int[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
