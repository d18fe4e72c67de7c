package dev.scratchlm.bpe;

/**
 * UTF-8 conversions the tokenizer needs beyond the JDK's: encoding a char range into a reused buffer,
 * and decoding arbitrary bytes so that invalid ones survive the trip through the pre-tokenizer.
 */
final class Utf8 {
    /** Invalid byte b (0x80..0xFF) travels as the lone surrogate 0xDC00 + b ("surrogateescape"). */
    private static final int ESCAPE = 0xDC00;

    private Utf8() {}

    /** Upper bound of the UTF-8 length of n chars. */
    static int maxBytes(int chars) {
        return chars * 3;
    }

    /**
     * Encodes s[start, end) into out at 0 and returns the length. A lone surrogate becomes '?', as in
     * {@code String.getBytes(UTF_8)}, unless {@code escaped} and it is an escaped byte.
     */
    static int encode(char[] s, int start, int end, byte[] out, boolean escaped) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = s[i];
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
                    int cp = Character.toCodePoint(c, s[++i]);
                    out[n++] = (byte) (0xF0 | (cp >> 18));
                    out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (cp & 0x3F));
                } else if (escaped && c >= ESCAPE + 0x80 && c <= ESCAPE + 0xFF) {
                    out[n++] = (byte) (c - ESCAPE);
                } else {
                    out[n++] = '?';
                }
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    /** Length in UTF-8 bytes of s[start, end), consistent with {@link #encode} without escapes. */
    static int length(char[] s, int start, int end) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = s[i];
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Decodes any bytes to chars: well-formed UTF-8 as usual, every byte of an ill-formed sequence as an
     * escape char, so {@link #encode} with {@code escaped} gives the same bytes back.
     */
    static char[] decodeEscaped(byte[] b) {
        char[] out = new char[b.length];
        int n = 0;
        int i = 0;
        while (i < b.length) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                out[n++] = (char) b0;
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo = 0xA0; // no overlong forms
                } else if (b0 == 0xED) {
                    hi = 0x9F; // no surrogates
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F; // nothing above U+10FFFF
                }
            } else {
                out[n++] = (char) (ESCAPE + b0);
                i++;
                continue;
            }
            boolean ok = i + need < b.length; // the whole sequence is there
            if (ok) {
                for (int k = 1; k <= need; k++) {
                    int bk = b[i + k] & 0xFF;
                    int min = k == 1 ? lo : 0x80;
                    int max = k == 1 ? hi : 0xBF;
                    if (bk < min || bk > max) {
                        ok = false;
                        break;
                    }
                    cp = (cp << 6) | (bk & 0x3F);
                }
            }
            if (!ok) {
                out[n++] = (char) (ESCAPE + b0);
                i++;
                continue;
            }
            if (cp >= 0x10000) {
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                out[n++] = (char) cp;
            }
            i += need + 1;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
