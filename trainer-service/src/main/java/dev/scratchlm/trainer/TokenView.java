package dev.scratchlm.trainer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only, memory-mapped prefix of one split's token file. The operating system pages tokens in as windows are
 * sampled, so a corpus larger than the heap costs nothing up front.
 */
public final class TokenView {
    private final MappedByteBuffer map;
    private final int bytesPerToken;
    private final long size;
    /** A restricted view: its token i lies at {@code sources[k] + i - starts[k]} with k the range holding i (null: identity). */
    private final long[] starts, sources;

    private TokenView(MappedByteBuffer map, int bytesPerToken, long size, long[] starts, long[] sources) {
        this.map = map;
        this.bytesPerToken = bytesPerToken;
        this.size = size;
        this.starts = starts;
        this.sources = sources;
    }

    private TokenView(MappedByteBuffer map, int bytesPerToken, long size) {
        this(map, bytesPerToken, size, null, null);
    }

    /**
     * The given ranges of this view laid end to end: a corpus holding only those documents. Windows sampled from it
     * cross from one selected document into the next as they would in a corpus without the others.
     */
    public TokenView restrict(long[] rangeStarts, long[] rangeLengths) {
        if (starts != null) throw new IllegalStateException("a restricted view cannot be restricted again");
        long[] virtual = new long[rangeStarts.length];
        long total = 0;
        for (int k = 0; k < rangeStarts.length; k++) {
            if (rangeStarts[k] < 0 || rangeStarts[k] + rangeLengths[k] > size) {
                throw new IllegalArgumentException(
                        "range " + rangeStarts[k] + "+" + rangeLengths[k] + " lies outside " + size + " tokens");
            }
            virtual[k] = total;
            total += rangeLengths[k];
        }
        return new TokenView(map, bytesPerToken, total, virtual, rangeStarts.clone());
    }

    static TokenView map(Path file, int bytesPerToken, long tokens) throws IOException {
        if (tokens == 0) return new TokenView(null, bytesPerToken, 0);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, tokens * bytesPerToken);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return new TokenView(m, bytesPerToken, tokens);
        }
    }

    /** Tokens in the view. */
    public long size() {
        return size;
    }

    public int get(long i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("token " + i + " of " + size);
        if (starts != null) {
            int k = java.util.Arrays.binarySearch(starts, i);
            if (k < 0) k = -k - 2;
            i = sources[k] + i - starts[k];
        }
        int pos = (int) (i * bytesPerToken);
        return bytesPerToken == 2 ? Short.toUnsignedInt(map.getShort(pos)) : map.getInt(pos);
    }
}
