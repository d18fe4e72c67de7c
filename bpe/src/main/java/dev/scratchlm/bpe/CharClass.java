package dev.scratchlm.bpe;

/**
 * The character classes the split regexes use, with the exact meaning java.util.regex gives them
 * under UNICODE_CHARACTER_CLASS (the flag tiktoken's Java port uses): \p{L}, \p{N}, \s (Unicode
 * White_Space), and the finer letter categories o200k's pattern needs. ASCII goes through a table
 * because it is most of the text.
 */
final class CharClass {
    static final int L = 1; // \p{L}
    static final int N = 2; // \p{N}
    static final int WS = 4; // \s
    static final int UPPERISH = 8; // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]   (o200k)
    static final int LOWERISH = 16; // [\p{Ll}\p{Lm}\p{Lo}\p{M}]        (o200k)

    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = (byte) compute(c);
        }
    }

    private CharClass() {}

    static int of(int cp) {
        return cp < 128 ? ASCII[cp] : compute(cp);
    }

    private static int compute(int cp) {
        int type = Character.getType(cp);
        int flags = 0;
        switch (type) {
            case Character.UPPERCASE_LETTER, Character.TITLECASE_LETTER -> flags = L | UPPERISH;
            case Character.LOWERCASE_LETTER -> flags = L | LOWERISH;
            case Character.MODIFIER_LETTER, Character.OTHER_LETTER -> flags = L | UPPERISH | LOWERISH;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
                flags = UPPERISH | LOWERISH;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> flags = N;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> flags = WS;
            default -> {
                // Unicode White_Space also holds these controls (and nothing else outside Z*).
                if ((cp >= 0x9 && cp <= 0xd) || cp == 0x85) {
                    flags = WS;
                }
            }
        }
        return flags;
    }

    static boolean isLetter(int cp) {
        return (of(cp) & L) != 0;
    }

    static boolean isNumber(int cp) {
        return (of(cp) & N) != 0;
    }

    static boolean isSpace(int cp) {
        return (of(cp) & WS) != 0;
    }

    /** [^\s\p{L}\p{N}]: punctuation, symbols, marks, controls, lone surrogates. */
    static boolean isOther(int cp) {
        return (of(cp) & (L | N | WS)) == 0;
    }

    /** [^\r\n\p{L}\p{N}]: the optional one-character prefix of a word in cl100k/o200k. */
    static boolean isWordPrefix(int cp) {
        return cp != '\r' && cp != '\n' && (of(cp) & (L | N)) == 0;
    }

    static boolean isNewline(int cp) {
        return cp == '\r' || cp == '\n';
    }

    /** Case-insensitive equality the way java.util.regex does it with UNICODE_CASE (so 'ſ' matches 's'). */
    static boolean foldEquals(int cp, char lower) {
        return cp == lower || Character.toLowerCase(Character.toUpperCase(cp)) == lower;
    }

    /** The code point at i, pairing surrogates only inside [i, end); a lone surrogate stands for itself. */
    static int codePointAt(char[] s, int i, int end) {
        char c = s[i];
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
            return Character.toCodePoint(c, s[i + 1]);
        }
        return c;
    }

    static int width(int cp) {
        return cp >= Character.MIN_SUPPLEMENTARY_CODE_POINT ? 2 : 1;
    }
}
