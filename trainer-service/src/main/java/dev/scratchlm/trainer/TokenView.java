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

    private TokenView(MappedByteBuffer map, int bytesPerToken, long size) {
        this.map = map;
        this.bytesPerToken = bytesPerToken;
        this.size = size;
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
        int pos = (int) (i * bytesPerToken);
        return bytesPerToken == 2 ? Short.toUnsignedInt(map.getShort(pos)) : map.getInt(pos);
    }
}
