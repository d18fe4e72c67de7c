package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.DocumentSpan;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenShard;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packs encoded documents into {@link TokenShard}s, one open shard per (documents partition, split).
 *
 * <p>Every document is followed by end-of-text. A document goes whole into the open shard when it fits, else the
 * open shard is closed and the document starts a new one. Only a document longer than an empty shard is cut: it
 * fills consecutive shards of the same split (ids {@code ...-o<offset>}, {@code ...-o<offset>-1}, {@code -2}...,
 * sent in order to the same token-shards partition), the last of which ends with its end-of-text and goes on to take
 * the next documents. A shard lists every document that has tokens in it, so a cut document is listed in each of its
 * shards, and a document is complete in the shard that holds its end-of-text.
 *
 * <p>Each listed document also gets a {@link DocumentSpan} in the header (its date, its token range in the shard,
 * its text's UTF-8 size), so a trainer can restrict a job to documents up to a date and score documents by date.
 *
 * <p>Shard ids are a function of where the shard starts — tokenizer, split, documents partition, offset of the first
 * document, part — so a shard re-made after an aborted transaction has the id the aborted one had.
 */
final class ShardPacker {
    private final String tokenizerId;
    private final int endOfText;
    private final int bytesPerToken;
    private final int maxRecordBytes;
    private final Map<Long, Open> open = new HashMap<>();

    /** A finished shard and the documents partition it came from (its token-shards partition follows from it). */
    record Packed(int documentsPartition, TokenShard shard) {}

    /**
     * @param vocabSize      decides 2 or 4 bytes per id
     * @param maxRecordBytes the whole encoded shard, header and ids, stays at or under this
     */
    ShardPacker(String tokenizerId, int endOfText, int vocabSize, int maxRecordBytes) {
        this.tokenizerId = tokenizerId;
        this.endOfText = endOfText;
        this.bytesPerToken = TokenShard.bytesPerTokenFor(vocabSize);
        this.maxRecordBytes = maxRecordBytes;
        Open probe = new Open(0, TokenShard.TRAIN, Long.MAX_VALUE, Integer.MAX_VALUE);
        if (probe.roomFor(headerBytes("x".repeat(64), LocalDate.of(9999, 12, 31), Long.MAX_VALUE)) < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes " + maxRecordBytes + " leaves no room for a single token");
        }
    }

    /**
     * Adds one document's tokens (without end-of-text; the packer appends it).
     *
     * @param bytes UTF-8 size of the document's text
     * @return the shards this closed, in the order they must be sent
     */
    List<Packed> add(
            int partition, long offset, String documentId, String split, LocalDate date, long bytes, int[] tokens) {
        List<Packed> done = new ArrayList<>(1);
        long key = key(partition, split);
        int n = tokens.length + 1;
        int idBytes = headerBytes(documentId, date, bytes);
        Open o = open.get(key);
        if (o != null && o.roomFor(idBytes) < n) {
            done.add(o.finish());
            o = null;
        }
        if (o == null) o = new Open(partition, split, offset, 0);
        int pos = 0;
        while (true) {
            int room = o.roomFor(idBytes);
            if (n - pos <= room) {
                o.append(documentId, date, bytes, tokens, pos, n);
                break;
            }
            // Longer than an empty shard: fill this one and continue the same document in the next.
            o.append(documentId, date, bytes, tokens, pos, pos + room);
            pos += room;
            done.add(o.finish());
            o = new Open(partition, split, offset, o.part + 1);
        }
        open.put(key, o);
        return done;
    }

    /** Closes every open shard (at a transaction's commit: a shard never spans two transactions). */
    List<Packed> flush() {
        List<Packed> done = new ArrayList<>(open.size());
        open.values().stream()
                .sorted((a, b) -> a.partition != b.partition
                        ? Integer.compare(a.partition, b.partition)
                        : a.split.compareTo(b.split))
                .forEach(o -> done.add(o.finish()));
        open.clear();
        return done;
    }

    /** Forgets open shards (after an aborted transaction their documents will be read again). */
    void clear() {
        open.clear();
    }

    static String shardId(String tokenizerId, String split, int partition, long offset, int part) {
        return tokenizerId + "-" + split + "-p" + partition + "-o" + offset + (part > 0 ? "-" + part : "");
    }

    /** The documents partition a shard id names, or -1 when it is not one of ours. */
    static int documentsPartitionOf(String shardId) {
        Matcher m = SHARD_ID_TAIL.matcher(shardId);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static final Pattern SHARD_ID_TAIL = Pattern.compile("-p(\\d+)-o\\d+(?:-\\d+)?$");

    private static long key(int partition, String split) {
        return ((long) partition << 1) | (TokenShard.VAL.equals(split) ? 1 : 0);
    }

    /**
     * A document's share of the JSON header: its id (quoted, escaped, plus a comma) and its span, with offset and
     * length as wide as a shard's token count can be.
     */
    private int headerBytes(String documentId, LocalDate date, long bytes) {
        int widest = maxRecordBytes / bytesPerToken;
        return Json.bytes(documentId).length + 1 + Json.bytes(new DocumentSpan(date, widest, widest, bytes)).length + 1;
    }

    private final class Open {
        final int partition;
        final String split;
        final long offset;
        final int part;
        final String shardId;
        final int headerBase; // encoded size with no ids and no tokens, dated, with room for a 10-digit count
        final List<String> ids = new ArrayList<>();
        final List<DocumentSpan> spans = new ArrayList<>();
        int idBytes;
        int[] tokens = new int[1024];
        int size;
        LocalDate latest;

        Open(int partition, String split, long offset, int part) {
            this.partition = partition;
            this.split = split;
            this.offset = offset;
            this.part = part;
            this.shardId = shardId(tokenizerId, split, partition, offset, part);
            TokenShard empty = new TokenShard(
                    TokenShard.SCHEMA,
                    shardId,
                    tokenizerId,
                    split,
                    List.of(),
                    0,
                    bytesPerToken,
                    new int[0],
                    LocalDate.MAX);
            this.headerBase = empty.encode().length + 9;
        }

        /** How many more tokens fit when one more document id is listed. */
        int roomFor(int documentIdBytes) {
            return (maxRecordBytes - headerBase - idBytes - documentIdBytes) / bytesPerToken - size;
        }

        void append(String documentId, LocalDate date, long bytes, int[] docTokens, int from, int to) {
            ids.add(documentId);
            DocumentSpan span = new DocumentSpan(date, size, to - from, bytes);
            spans.add(span);
            idBytes +=
                    Json.bytes(documentId).length + 1 + Json.bytes(span).length + 1; // what it takes, not the estimate
            if (date != null && (latest == null || date.isAfter(latest))) latest = date;
            int count = to - from;
            if (size + count > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(size + count, tokens.length * 2));
            int doc = docTokens.length;
            for (int i = from; i < to; i++) tokens[size++] = i < doc ? docTokens[i] : endOfText;
        }

        Packed finish() {
            TokenShard shard = new TokenShard(
                    TokenShard.SCHEMA,
                    shardId,
                    tokenizerId,
                    split,
                    List.copyOf(ids),
                    size,
                    bytesPerToken,
                    Arrays.copyOf(tokens, size),
                    latest,
                    List.copyOf(spans));
            return new Packed(partition, shard);
        }
    }
}
