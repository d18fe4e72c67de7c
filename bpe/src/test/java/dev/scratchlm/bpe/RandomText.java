package dev.scratchlm.bpe;

import java.util.Random;

/** Random strings built to hit the split patterns' corner cases. */
final class RandomText {
    /** Code points chosen for their character classes (see CharClass). */
    private static final int[] ALPHABET = {
        'a',
        'b',
        'z',
        'A',
        'Q',
        'Z',
        's',
        't',
        'm',
        'd',
        'l',
        'v',
        'e',
        'r',
        'S',
        'T',
        'M',
        'D',
        'L',
        'V',
        'E',
        'R',
        '0',
        '1',
        '5',
        '9',
        ' ',
        ' ',
        ' ',
        ' ',
        '\t',
        '\n',
        '\n',
        '\r',
        '\u000B',
        '\f',
        '\'',
        '\'',
        '\'',
        '/',
        '.',
        ',',
        '!',
        '?',
        '-',
        '"',
        '<',
        '|',
        '>',
        '_',
        '$',
        '€',
        '©',
        0x017F /* ſ: folds to s */,
        0x212A /* Kelvin sign */,
        0x0130 /* İ */,
        0x00DF /* ß */,
        0x00E9 /* é */,
        0x00C9,
        0x0301 /* combining acute */,
        0x0903 /* spacing mark */,
        0x20DD /* enclosing mark */,
        0x01C5 /* Dž titlecase */,
        0x02B0 /* modifier letter */,
        0x05D0 /* Hebrew */,
        0x4E2D /* 中 */,
        0x3042 /* あ */,
        0x0660 /* Arabic-Indic 0 */,
        0x00BD /* ½ */,
        0x2167 /* Roman numeral VIII (Nl) */,
        0x00B2 /* ² */,
        0x00A0 /* NBSP */,
        0x2003,
        0x3000,
        0x2028,
        0x2029,
        0x0085,
        0x1680,
        0x200B /* zero-width: not space */,
        0x001C /* control: not White_Space */,
        0x0000,
        0x007F,
        0x1F600 /* emoji */,
        0x1D400 /* math bold A, Lu */,
        0x1D41A /* math bold a, Ll */,
        0x10400 /* Deseret Lu */,
        0x1D7CE /* math digit */,
        0x20000 /* CJK ext B */
    };

    private RandomText() {}

    /** A random string of up to maxLen code points, optionally with lone surrogates. */
    static String string(Random rnd, int maxLen, boolean loneSurrogates) {
        int n = rnd.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder(n * 2);
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(100);
            if (k < 70) {
                sb.appendCodePoint(ALPHABET[rnd.nextInt(ALPHABET.length)]);
            } else if (k < 85) {
                // runs make long pieces: whitespace runs, digit runs, word runs
                int c = ALPHABET[rnd.nextInt(ALPHABET.length)];
                int len = 1 + rnd.nextInt(12);
                for (int j = 0; j < len; j++) {
                    sb.appendCodePoint(c);
                }
            } else if (k < 97 || !loneSurrogates) {
                int cp;
                do {
                    cp = rnd.nextInt(0x30000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                sb.appendCodePoint(cp);
            } else {
                sb.append((char) (0xD800 + rnd.nextInt(0x800)));
            }
        }
        return sb.toString();
    }

    static byte[] bytes(Random rnd, int maxLen) {
        int n = rnd.nextInt(maxLen + 1);
        byte[] b = new byte[n];
        int mode = rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            b[i] = switch (mode) {
                case 0 -> (byte) rnd.nextInt(256); // anything
                case 1 -> (byte) (0x80 + rnd.nextInt(0x80)); // only non-ASCII: broken sequences
                default ->
                    (byte) " a0\n\u00e9\u00c3\u00a9\u00e2\u0082\u00ac\u00f0\u009f\u0098"
                            .charAt(rnd.nextInt(13)); // near-UTF-8
            };
        }
        return b;
    }
}
