package dev.scratchlm.ingest.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Gunzips concatenated gzip members (a WARC.gz has one per record) like {@link java.util.zip.GZIPInputStream}, and
 * also remembers where recent members start, in the file and in the output. Planning uses that to point a task at
 * the member holding its first record, so the task's worker seeks there instead of inflating everything before it.
 */
final class GzipMembers extends InputStream {
    /** Member starts kept for {@link #memberHolding}; a file of tiny members must not fill the heap. */
    private static final int MAX_REMEMBERED = 100_000;

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024], one = new byte[1];
    private int pos, limit; // compressed bytes not yet handed to the inflater: buf[pos, limit)
    private long bufStart; // file offset of buf[0]
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberOut, out;
    private boolean inMember, eof, first = true;
    private final ArrayDeque<long[]> starts = new ArrayDeque<>(); // {file offset, output offset}

    /** @param in the file from {@code fileOffset} on, which must be the start of a member */
    GzipMembers(InputStream in, long fileOffset, long outputOffset) {
        this.in = in;
        this.bufStart = fileOffset;
        this.out = outputOffset;
    }

    /** File bytes read so far, counted from the file's start (for the compression-ratio guard). */
    long compressedRead() {
        return bufStart + limit;
    }

    /**
     * The member in which output byte {@code outputOffset} lies, as {file offset, output offset} of its start, or
     * null if it is no longer remembered. Offsets must be asked in increasing order: earlier members are forgotten.
     */
    long[] memberHolding(long outputOffset) {
        while (starts.size() > 1 && nextStart() <= outputOffset) starts.removeFirst();
        long[] m = starts.peekFirst();
        return m != null && m[1] <= outputOffset ? m : null;
    }

    private long nextStart() {
        var it = starts.iterator();
        it.next();
        return it.next()[1];
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!eof) {
            if (!inMember) {
                if (!startMember()) {
                    eof = true;
                    break;
                }
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt gzip data: " + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                out += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt gzip data: a preset dictionary is not allowed");
            } else if (inflater.needsInput()) {
                if (pos == limit && !fill()) throw new EOFException("Unexpected end of gzip input");
                inflater.setInput(buf, pos, limit - pos);
                pos = limit;
            }
        }
        return -1;
    }

    /** Reads a member header; false at a clean end (no bytes left, or trailing bytes that are no gzip member). */
    private boolean startMember() throws IOException {
        long memberStart = bufStart + pos;
        try {
            int id1 = byteOrEnd();
            if (id1 < 0) {
                if (first) throw new EOFException("empty gzip input");
                return false;
            }
            if (id1 != 0x1f || u8() != 0x8b || u8() != 8) throw new ZipException("Not in GZIP format");
            int flags = u8();
            for (int i = 0; i < 6; i++) u8(); // mtime, extra flags, OS
            if ((flags & 4) != 0) { // FEXTRA
                int xlen = u8() | u8() << 8;
                for (int i = 0; i < xlen; i++) u8();
            }
            if ((flags & 8) != 0) while (u8() != 0) {} // FNAME
            if ((flags & 16) != 0) while (u8() != 0) {} // FCOMMENT
            if ((flags & 2) != 0) {
                u8();
                u8();
            } // FHCRC
        } catch (IOException e) {
            if (first) throw e;
            return false; // like GZIPInputStream: junk after the last member ends the stream
        }
        first = false;
        inflater.reset();
        crc.reset();
        memberOut = 0;
        inMember = true;
        if (starts.size() == MAX_REMEMBERED) starts.removeFirst();
        starts.addLast(new long[] {memberStart, out});
        return true;
    }

    private void endMember() throws IOException {
        pos = limit - inflater.getRemaining();
        long storedCrc = u32(), storedSize = u32();
        if (storedCrc != crc.getValue() || storedSize != (memberOut & 0xffffffffL)) {
            throw new ZipException("Corrupt GZIP trailer");
        }
        inMember = false;
    }

    private long u32() throws IOException {
        return (u8() | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24) & 0xffffffffL;
    }

    private int u8() throws IOException {
        int b = byteOrEnd();
        if (b < 0) throw new EOFException("Unexpected end of gzip input");
        return b;
    }

    private int byteOrEnd() throws IOException {
        if (pos == limit && !fill()) return -1;
        return buf[pos++] & 0xff;
    }

    /** Refills the (fully consumed) buffer; false at the end of the file. */
    private boolean fill() throws IOException {
        bufStart += limit;
        pos = limit = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
