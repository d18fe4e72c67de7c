package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lines as bytes, each capped at a maximum length: an endless line (a corrupt or hostile file) costs the cap in
 * memory, not the whole file. Lines are split on '\n' (a trailing '\r' is dropped); decoding is the caller's.
 */
final class LineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[64 * 1024];
    private int pos, limit;
    private byte[] line = new byte[1024];
    private int length;
    private boolean oversized;
    private long fullLength;
    private long lineNo; // 1-based number of the line last returned
    private long filled; // bytes read from the input into buf so far
    private long lineStart;

    /** @param linesBefore lines of the file before the input's start (the input starts at a line's start) */
    LineReader(InputStream in, int maxLineBytes, long linesBefore) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.lineNo = linesBefore;
    }

    /** Reads the next line; false at the end of the input. */
    boolean next() throws IOException {
        lineStart = filled - (limit - pos);
        length = 0;
        fullLength = 0;
        oversized = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit > 0) filled += limit;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) return false;
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') pos++;
            append(start, pos - start);
            if (pos < limit) { // found the newline
                pos++;
                break;
            }
        }
        if (!oversized && length > 0 && line[length - 1] == '\r') length--;
        lineNo++;
        return true;
    }

    private void append(int start, int n) {
        fullLength += n;
        if (oversized) return;
        if (length + n > maxLineBytes) {
            oversized = true;
            return;
        }
        if (length + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
        System.arraycopy(buf, start, line, length, n);
        length += n;
    }

    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** The line was longer than the cap; {@link #bytes()} is then incomplete and must not be used. */
    boolean oversized() {
        return oversized;
    }

    long fullLength() {
        return fullLength;
    }

    long lineNo() {
        return lineNo;
    }

    /** Where the line last returned starts, in bytes from the input's start. */
    long lineStart() {
        return lineStart;
    }

    boolean blank() {
        if (oversized) return false;
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }
}
