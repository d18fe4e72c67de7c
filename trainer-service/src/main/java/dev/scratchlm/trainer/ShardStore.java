package dev.scratchlm.trainer;

import dev.scratchlm.contracts.DocumentSpan;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenShard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trainer's local copy of the token shards: per tokenizer, one memory-mapped token file per split
 * ({@code train.tokens}, {@code val.tokens}) to which shards are appended, and an index ({@code shards.jsonl}) of
 * what was appended where.
 *
 * <p>Durability order: a shard's tokens are written and forced to disk first, then its index line. The index is the
 * truth: on open, token bytes past the last indexed shard (a crash between the two writes) are ignored and later
 * overwritten, and a redelivered shard whose id is indexed is skipped. So a Kafka offset may be committed as soon as
 * {@link #append} returns.
 *
 * <p>Train and validation live in separate files, so no sampled window ever mixes the two splits. Thread-safe:
 * the consumer appends while a job reads through its own read-only {@link TokenView} of a fixed prefix.
 */
public final class ShardStore implements AutoCloseable {
    public static final List<String> SPLITS = List.of(TokenShard.TRAIN, TokenShard.VAL);
    /** Token files grow in steps of this many bytes, so appends rarely remap. */
    private static final long GROW_BYTES = 16L << 20;

    /**
     * One indexed shard: where its tokens are in its split's file, and what it holds.
     *
     * @param latestDate the newest publication date of its documents (ISO), or null when none is dated
     * @param spans      each document's date and token range inside the shard; null for shards that did not carry
     *                   them (schema 1), whose documents cannot be selected by date
     */
    public record Entry(
            String shardId,
            String split,
            long offset,
            int tokens,
            int documents,
            int maxTokenId,
            String latestDate,
            List<DocumentSpan> spans) {}

    /** What a tokenizer's shards add up to. */
    public record Stats(
            String tokenizerId,
            int bytesPerToken,
            long trainTokens,
            long valTokens,
            int trainShards,
            int valShards,
            long trainDocuments,
            long valDocuments,
            int maxTokenId) {}

    /** What {@link #append} did with a shard. */
    public enum Result {
        STORED,
        DUPLICATE
    }

    private final Path root;
    private final Map<String, TokenizerShards> byTokenizer = new HashMap<>();

    public ShardStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            try (var dirs = Files.list(root)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    TokenizerShards t = TokenizerShards.open(dir);
                    if (t != null) byTokenizer.put(t.tokenizerId, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the shard store in " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    /**
     * Stores a shard durably, or recognizes it as already stored.
     *
     * @throws IllegalArgumentException when the shard cannot be stored (unknown split, token width that differs from
     *                                  the tokenizer's earlier shards); the caller rejects the record with the reason
     */
    public synchronized Result append(TokenShard shard) {
        if (!SPLITS.contains(shard.split())) {
            throw new IllegalArgumentException(
                    "shard " + shard.shardId() + " has split '" + shard.split() + "', expected train or val");
        }
        if (shard.tokenizerId() == null || shard.tokenizerId().isBlank()) {
            throw new IllegalArgumentException("shard " + shard.shardId() + " names no tokenizer");
        }
        if (shard.shardId() == null || shard.shardId().isBlank())
            throw new IllegalArgumentException("shard without an id");
        try {
            TokenizerShards t = byTokenizer.get(shard.tokenizerId());
            if (t == null) {
                t = TokenizerShards.create(root, shard.tokenizerId(), shard.bytesPerToken());
                byTokenizer.put(shard.tokenizerId(), t);
            }
            return t.append(shard);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store shard " + shard.shardId(), e);
        }
    }

    public synchronized boolean contains(String tokenizerId, String shardId) {
        TokenizerShards t = byTokenizer.get(tokenizerId);
        return t != null && t.ids.contains(shardId);
    }

    public synchronized List<Stats> stats() {
        return byTokenizer.values().stream().map(TokenizerShards::stats).toList();
    }

    public synchronized Stats stats(String tokenizerId) {
        TokenizerShards t = byTokenizer.get(tokenizerId);
        return t == null ? null : t.stats();
    }

    /** The shards whose tokens lie entirely inside the first {@code tokens} tokens of a split: a job's lineage. */
    public synchronized List<Entry> entries(String tokenizerId, String split, long tokens) {
        TokenizerShards t = byTokenizer.get(tokenizerId);
        if (t == null) return List.of();
        return t.entries.stream()
                .filter(e -> e.split().equals(split) && e.offset() + e.tokens() <= tokens)
                .toList();
    }

    /** A read-only view of the first {@code tokens} tokens of a split, unaffected by later appends. */
    public synchronized TokenView view(String tokenizerId, String split, long tokens) {
        TokenizerShards t = byTokenizer.get(tokenizerId);
        if (t == null) throw new IllegalArgumentException("no shards for tokenizer " + tokenizerId);
        SplitFile f = t.split(split);
        if (tokens > f.length) {
            throw new IllegalArgumentException(
                    "split " + split + " of " + tokenizerId + " holds " + f.length + " tokens, not " + tokens);
        }
        try {
            return TokenView.map(f.path, t.bytesPerToken, tokens);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        for (TokenizerShards t : byTokenizer.values()) t.close();
        byTokenizer.clear();
    }

    /** Directory names are the tokenizer id made file-safe plus a hash, so two ids never share a folder. */
    static String dirName(String tokenizerId) {
        String safe = tokenizerId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 60) safe = safe.substring(0, 60);
        return safe + "-" + Integer.toHexString(tokenizerId.hashCode());
    }

    private record Meta(String tokenizerId, int bytesPerToken) {}

    /** The token file of one split: its logical length comes from the index, its mapping grows as it fills. */
    private static final class SplitFile {
        final Path path;
        final int bytesPerToken;
        FileChannel channel;
        MappedByteBuffer map;
        long length; // tokens covered by the index

        SplitFile(Path path, int bytesPerToken) {
            this.path = path;
            this.bytesPerToken = bytesPerToken;
        }

        void write(int[] tokens) throws IOException {
            long start = length * bytesPerToken, end = start + (long) tokens.length * bytesPerToken;
            if (end > Integer.MAX_VALUE)
                throw new IOException(path + " would exceed 2 GB; a second file per split is not implemented");
            if (channel == null) {
                channel = FileChannel.open(
                        path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            if (map == null || map.capacity() < end) {
                long capacity = Math.min(Integer.MAX_VALUE, Math.max(end, ((end / GROW_BYTES) + 1) * GROW_BYTES));
                map = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
                map.order(ByteOrder.LITTLE_ENDIAN);
            }
            int pos = (int) start;
            if (bytesPerToken == 2) {
                for (int t : tokens) {
                    map.putShort(pos, (short) t);
                    pos += 2;
                }
            } else {
                for (int t : tokens) {
                    map.putInt(pos, t);
                    pos += 4;
                }
            }
            map.force((int) start, (int) (end - start));
        }

        void close() {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // closing a file we only read from or forced already
            }
            channel = null;
            map = null;
        }
    }

    private static final class TokenizerShards {
        final String tokenizerId;
        final int bytesPerToken;
        final Path indexPath;
        final Map<String, SplitFile> files = new TreeMap<>();
        final List<Entry> entries = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        FileChannel index;

        private TokenizerShards(Path dir, String tokenizerId, int bytesPerToken) {
            this.tokenizerId = tokenizerId;
            this.bytesPerToken = bytesPerToken;
            this.indexPath = dir.resolve("shards.jsonl");
            for (String s : SPLITS) files.put(s, new SplitFile(dir.resolve(s + ".tokens"), bytesPerToken));
        }

        static TokenizerShards create(Path root, String tokenizerId, int bytesPerToken) throws IOException {
            Path dir = root.resolve(dirName(tokenizerId));
            Files.createDirectories(dir);
            AtomicFiles.write(
                    dir.resolve("meta.json"), out -> out.write(Json.bytes(new Meta(tokenizerId, bytesPerToken))));
            return new TokenizerShards(dir, tokenizerId, bytesPerToken);
        }

        /** Reads a tokenizer's folder back; a trailing half-written index line is dropped. */
        static TokenizerShards open(Path dir) throws IOException {
            Path meta = dir.resolve("meta.json");
            if (!Files.exists(meta)) return null;
            Meta m = Json.read(Files.readAllBytes(meta), Meta.class);
            TokenizerShards t = new TokenizerShards(dir, m.tokenizerId(), m.bytesPerToken());
            if (Files.exists(t.indexPath)) {
                byte[] all = Files.readAllBytes(t.indexPath);
                int lastNewline = -1;
                for (int i = all.length - 1; i >= 0; i--)
                    if (all[i] == '\n') {
                        lastNewline = i;
                        break;
                    }
                String complete = new String(all, 0, lastNewline + 1, StandardCharsets.UTF_8);
                for (String line : complete.split("\n")) {
                    if (line.isBlank()) continue;
                    t.add(Json.read(line, Entry.class));
                }
                if (lastNewline + 1 < all.length) {
                    try (FileChannel ch = FileChannel.open(t.indexPath, StandardOpenOption.WRITE)) {
                        ch.truncate(lastNewline + 1);
                        ch.force(true);
                    }
                }
            }
            return t;
        }

        private void add(Entry e) {
            entries.add(e);
            ids.add(e.shardId());
            SplitFile f = split(e.split());
            f.length = Math.max(f.length, e.offset() + e.tokens());
        }

        SplitFile split(String split) {
            SplitFile f = files.get(split);
            if (f == null) throw new IllegalArgumentException("unknown split " + split);
            return f;
        }

        Result append(TokenShard shard) throws IOException {
            if (ids.contains(shard.shardId())) return Result.DUPLICATE;
            int max = 0;
            for (int t : shard.tokens()) {
                if (t < 0)
                    throw new IllegalArgumentException("shard " + shard.shardId() + " holds a negative token id " + t);
                max = Math.max(max, t);
            }
            if (bytesPerToken == 2 && max > 0xFFFF) {
                throw new IllegalArgumentException("shard " + shard.shardId() + " holds token id " + max
                        + " but tokenizer " + tokenizerId + " was stored with 2 bytes per token");
            }
            SplitFile f = split(shard.split());
            Entry e = new Entry(
                    shard.shardId(),
                    shard.split(),
                    f.length,
                    shard.tokenCount(),
                    shard.documentIds() == null ? 0 : shard.documentIds().size(),
                    max,
                    shard.latestDate() == null ? null : shard.latestDate().toString(),
                    shard.spans());
            f.write(shard.tokens());
            if (index == null) {
                index = FileChannel.open(
                        indexPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer line = ByteBuffer.wrap((Json.string(e) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) index.write(line);
            index.force(false);
            add(e);
            return Result.STORED;
        }

        Stats stats() {
            long trainDocs = 0, valDocs = 0;
            int trainShards = 0, valShards = 0, max = 0;
            for (Entry e : entries) {
                if (e.split().equals(TokenShard.TRAIN)) {
                    trainDocs += e.documents();
                    trainShards++;
                } else {
                    valDocs += e.documents();
                    valShards++;
                }
                max = Math.max(max, e.maxTokenId());
            }
            return new Stats(
                    tokenizerId,
                    bytesPerToken,
                    files.get(TokenShard.TRAIN).length,
                    files.get(TokenShard.VAL).length,
                    trainShards,
                    valShards,
                    trainDocs,
                    valDocs,
                    max);
        }

        void close() {
            files.values().forEach(SplitFile::close);
            try {
                if (index != null) index.close();
            } catch (IOException ignored) {
                // already forced after every line
            }
            index = null;
        }
    }
}
