package dev.scratchlm.bpe;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Decodes ids arriving one at a time (a chat answer being generated) into text. A token may end in
 * the middle of a multi-byte character, so the bytes of an unfinished character are held back until
 * the tokens that complete it arrive. Not thread-safe: one per stream.
 */
public final class StreamDecoder {
    private final IntFunction<byte[]> bytesOf;
    private byte[] pending = new byte[16];
    private int size;

    StreamDecoder(IntFunction<byte[]> bytesOf) {
        this.bytesOf = bytesOf;
    }

    /** Adds one token and returns the text that is now complete (possibly empty). */
    public String push(int tokenId) {
        byte[] b = bytesOf.apply(tokenId);
        if (size + b.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, size + b.length));
        }
        System.arraycopy(b, 0, pending, size, b.length);
        size += b.length;
        int complete = completePrefix(pending, size);
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, size - complete);
        size -= complete;
        return text;
    }

    /** Bytes held back waiting for the rest of a character. */
    public int pendingBytes() {
        return size;
    }

    /** Ends the stream: whatever is held back, decoded lossily (an unfinished character becomes U+FFFD). */
    public String finish() {
        String text = new String(pending, 0, size, StandardCharsets.UTF_8);
        size = 0;
        return text;
    }

    /** Length of the longest prefix that does not end inside a character that could still be completed. */
    static int completePrefix(byte[] b, int n) {
        for (int p = n - 1; p >= Math.max(0, n - 4); p--) {
            int lead = b[p] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for its lead
            }
            int need = lead < 0x80
                    ? 1
                    : lead >= 0xF0 && lead <= 0xF4
                            ? 4
                            : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 1;
            return n - p < need ? p : n;
        }
        return n;
    }
}
