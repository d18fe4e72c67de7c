package dev.scratchlm.ingest.source;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bytes to text without guessing: strict UTF-8 (or a declared charset), and binary data recognised as such. */
public final class TextBytes {
    private TextBytes() {}

    /** Thrown with the byte offset of the first byte that is not valid in the charset. */
    public static final class InvalidText extends Exception {
        public InvalidText(String message) {
            super(message);
        }
    }

    /**
     * Binary content: a NUL byte, or more than 10% control bytes other than tab, newline, form feed and carriage
     * return, in the first 8 KB. Text in any charset has neither.
     */
    public static boolean looksBinary(byte[] b, int off, int len) {
        int n = Math.min(len, 8192), control = 0;
        for (int i = off; i < off + n; i++) {
            int c = b[i] & 0xff;
            if (c == 0) return true;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) control++;
        }
        return n > 0 && control * 10 > n;
    }

    public static String utf8(byte[] b, int off, int len) throws InvalidText {
        return decode(b, off, len, StandardCharsets.UTF_8);
    }

    /** Decodes strictly; a leading byte-order mark is dropped. */
    public static String decode(byte[] b, int off, int len, Charset charset) throws InvalidText {
        if (charset.equals(StandardCharsets.UTF_8)
                && len >= 3
                && (b[off] & 0xff) == 0xEF
                && (b[off + 1] & 0xff) == 0xBB
                && (b[off + 2] & 0xff) == 0xBF) {
            off += 3;
            len -= 3;
        }
        if (charset.equals(StandardCharsets.UTF_8) && isAscii(b, off, len)) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1); // fast path: ASCII is valid UTF-8
        }
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        CharBuffer out = CharBuffer.allocate((int) (len * (double) decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidText("invalid " + charset.name() + " at byte " + (in.position() - off) + " ("
                    + (result.isMalformed() ? "malformed" : "unmappable") + " sequence of " + result.length()
                    + " bytes)");
        }
        result = decoder.flush(out);
        if (result.isError()) throw new InvalidText("invalid " + charset.name() + " at the end of the input");
        out.flip();
        return out.toString();
    }

    private static boolean isAscii(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) if (b[i] < 0) return false;
        return true;
    }
}
