package dev.scratchlm.bpe;

import static dev.scratchlm.bpe.CharClass.L;
import static dev.scratchlm.bpe.CharClass.LOWERISH;
import static dev.scratchlm.bpe.CharClass.N;
import static dev.scratchlm.bpe.CharClass.UPPERISH;
import static dev.scratchlm.bpe.CharClass.WS;
import static dev.scratchlm.bpe.CharClass.codePointAt;
import static dev.scratchlm.bpe.CharClass.foldEquals;
import static dev.scratchlm.bpe.CharClass.isNewline;
import static dev.scratchlm.bpe.CharClass.isOther;
import static dev.scratchlm.bpe.CharClass.isWordPrefix;
import static dev.scratchlm.bpe.CharClass.of;
import static dev.scratchlm.bpe.CharClass.width;

/**
 * Hand-written matchers equivalent to the regexes in {@link SplitPattern}: each method returns the
 * end of the leftmost-first match at {@code i}, trying the alternatives in the regex's order and
 * reproducing its backtracking where it matters (the optional word prefix, o200k's letter classes,
 * the whitespace lookahead).
 */
final class PreTokenizer {
    private PreTokenizer() {}

    /** {@code '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    static int r50k(char[] s, int i, int end) {
        int c0 = s[i];
        if (c0 == '\'' && i + 1 < end) {
            char c1 = s[i + 1];
            if (c1 == 's' || c1 == 'd' || c1 == 'm' || c1 == 't') {
                return i + 2;
            }
            if (i + 2 < end) {
                char c2 = s[i + 2];
                if ((c1 == 'l' && c2 == 'l') || (c1 == 'v' && c2 == 'e') || (c1 == 'r' && c2 == 'e')) {
                    return i + 3;
                }
            }
        }
        int start = i;
        c0 = codePointAt(s, i, end);
        int f0 = of(c0);
        if (c0 == ' ' && i + 1 < end) {
            int f1 = of(codePointAt(s, i + 1, end));
            if ((f1 & WS) == 0) { // a letter, digit or symbol follows: the space leads it
                i++;
                f0 = f1;
            }
        }
        if ((f0 & L) != 0) {
            return run(s, i, end, L);
        }
        if ((f0 & N) != 0) {
            return run(s, i, end, N);
        }
        if ((f0 & WS) == 0) {
            return runOther(s, i, end);
        }
        return whitespace(s, start, end, false);
    }

    /** {@code '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+} */
    static int cl100k(char[] s, int i, int end, int maxDigits) {
        int c0 = codePointAt(s, i, end);
        int w0 = width(c0);
        if (c0 == '\'') {
            int e = contraction(s, i, end);
            if (e > i) {
                return e;
            }
        }
        int f0 = of(c0);
        if ((f0 & L) != 0) {
            return run(s, i + w0, end, L);
        }
        if (isWordPrefix(c0) && i + w0 < end && (of(codePointAt(s, i + w0, end)) & L) != 0) {
            return run(s, i + w0, end, L);
        }
        if ((f0 & N) != 0) {
            return digits(s, i, end, maxDigits);
        }
        int e = punctuation(s, i, end, false);
        return e > i ? e : whitespace(s, i, end, true);
    }

    /** o200k: two word alternatives ([Upper]*[lower]+ and [Upper]+[lower]*), then as cl100k with '/' after symbols. */
    static int o200k(char[] s, int i, int end) {
        int c0 = codePointAt(s, i, end);
        int w0 = width(c0);
        boolean prefix = isWordPrefix(c0) && i + w0 < end;
        int e;
        if (prefix && (e = lowerWord(s, i + w0, end)) > 0) {
            return e;
        }
        if ((e = lowerWord(s, i, end)) > 0) {
            return e;
        }
        if (prefix && (e = upperWord(s, i + w0, end)) > 0) {
            return e;
        }
        if ((e = upperWord(s, i, end)) > 0) {
            return e;
        }
        if ((of(c0) & N) != 0) {
            return digits(s, i, end, 3);
        }
        e = punctuation(s, i, end, true);
        return e > i ? e : whitespace(s, i, end, true);
    }

    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(contraction)?}, or -1. */
    private static int lowerWord(char[] s, int p, int end) {
        int q = p;
        int lastLowerEnd = -1; // if the lower run is empty, the upper run gives back up to its last lower-ish char
        while (q < end) {
            int c = codePointAt(s, q, end);
            int f = of(c);
            if ((f & UPPERISH) == 0) {
                break;
            }
            q += width(c);
            if ((f & LOWERISH) != 0) {
                lastLowerEnd = q;
            }
        }
        int r = run(s, q, end, LOWERISH);
        int e = r > q ? r : lastLowerEnd;
        return e < 0 ? -1 : contraction(s, e, end);
    }

    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(contraction)?}, or -1. */
    private static int upperWord(char[] s, int p, int end) {
        int q = run(s, p, end, UPPERISH);
        return q == p ? -1 : contraction(s, run(s, q, end, LOWERISH), end);
    }

    /** {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} at i: the end after it, or i if there is none. */
    private static int contraction(char[] s, int i, int end) {
        if (i + 1 >= end || s[i] != '\'') {
            return i;
        }
        int c1 = codePointAt(s, i + 1, end);
        if (foldEquals(c1, 's') || foldEquals(c1, 't') || foldEquals(c1, 'm') || foldEquals(c1, 'd')) {
            return i + 1 + width(c1);
        }
        int j = i + 1 + width(c1);
        if (j < end) {
            int c2 = codePointAt(s, j, end);
            if ((foldEquals(c1, 'l') && foldEquals(c2, 'l'))
                    || (foldEquals(c1, 'v') && foldEquals(c2, 'e'))
                    || (foldEquals(c1, 'r') && foldEquals(c2, 'e'))) {
                return j + width(c2);
            }
        }
        return i;
    }

    /** {@code ' ?[^\s\p{L}\p{N}]+[\r\n]*'} (with '/' in the tail for o200k): the end, or i if no match. */
    private static int punctuation(char[] s, int i, int end, boolean slashTail) {
        int j = i;
        if (s[i] == ' ' && i + 1 < end && isOther(codePointAt(s, i + 1, end))) {
            j = i + 1;
        }
        if (!isOther(codePointAt(s, j, end))) {
            return i;
        }
        j = runOther(s, j, end);
        while (j < end && (s[j] == '\r' || s[j] == '\n' || (slashTail && s[j] == '/'))) {
            j++;
        }
        return j;
    }

    /**
     * A whitespace run at i (which is whitespace). With {@code newlines} first {@code \s*[\r\n]+}: the
     * run up to its last newline. Then {@code \s+(?!\S)}: the run minus its last character when text
     * follows, so that space can lead the next word. Then {@code \s+}.
     */
    private static int whitespace(char[] s, int i, int end, boolean newlines) {
        int j = i;
        int lastNewline = -1;
        while (j < end) {
            int c = codePointAt(s, j, end);
            if ((of(c) & WS) == 0) {
                break;
            }
            if (isNewline(c)) {
                lastNewline = j;
            }
            j += width(c); // all White_Space code points are in the BMP, so this is 1
        }
        if (newlines && lastNewline >= 0) {
            return lastNewline + 1;
        }
        if (j < end && j - i >= 2) {
            return j - 1;
        }
        return j;
    }

    private static int digits(char[] s, int i, int end, int max) {
        int n = 0;
        while (i < end && n < max) {
            int c = codePointAt(s, i, end);
            if ((of(c) & N) == 0) {
                break;
            }
            i += width(c);
            n++;
        }
        return i;
    }

    private static int run(char[] s, int i, int end, int mask) {
        while (i < end) {
            char ch = s[i];
            if (ch < 128) { // fast path: no surrogate handling for ASCII
                if ((of(ch) & mask) == 0) {
                    break;
                }
                i++;
                continue;
            }
            int c = codePointAt(s, i, end);
            if ((of(c) & mask) == 0) {
                break;
            }
            i += width(c);
        }
        return i;
    }

    private static int runOther(char[] s, int i, int end) {
        while (i < end) {
            int c = codePointAt(s, i, end);
            if (!isOther(c)) {
                break;
            }
            i += width(c);
        }
        return i;
    }
}
