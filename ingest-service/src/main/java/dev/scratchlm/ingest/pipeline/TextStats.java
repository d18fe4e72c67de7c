package dev.scratchlm.ingest.pipeline;

import java.util.HashSet;
import java.util.Set;

/**
 * What the Gopher and C4 quality rules look at, counted in one pass over the text.
 *
 * @param words            whitespace-separated tokens holding at least one letter or digit
 * @param wordChars        letters and digits in those tokens (mean word length = wordChars / words)
 * @param symbols          '#' characters plus ellipses ("..." or "…"): Gopher's symbol-to-word ratio
 * @param lines            non-blank lines
 * @param punctuatedLines  lines ending in terminal punctuation (C4 keeps only such lines)
 * @param duplicateLines   lines identical to an earlier line of the same document
 */
public record TextStats(int words, long wordChars, int symbols, int lines, int punctuatedLines, int duplicateLines) {

    public static TextStats of(String text) {
        int words = 0, symbols = 0, lines = 0, punctuated = 0, duplicates = 0;
        long wordChars = 0;
        Set<String> seenLines = new HashSet<>();
        int n = text.length();
        int lineStart = 0;
        boolean inWord = false, wordHasAlnum = false;
        int wordAlnum = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : '\n';
            if (c == '\n') {
                if (inWord && wordHasAlnum) {
                    words++;
                    wordChars += wordAlnum;
                }
                inWord = false;
                wordHasAlnum = false;
                wordAlnum = 0;
                // Trim the line by indexes: no substring unless it is a real, non-blank line.
                int s = lineStart, e = i;
                while (s < e && Character.isWhitespace(text.charAt(s))) s++;
                while (e > s && Character.isWhitespace(text.charAt(e - 1))) e--;
                if (e > s) {
                    lines++;
                    if (endsSentence(text, s, e)) punctuated++;
                    if (!seenLines.add(text.substring(s, e))) duplicates++;
                }
                lineStart = i + 1;
                continue;
            }
            if (c == '#') symbols++;
            else if (c == '\u2026') symbols++;
            else if (c == '.' && i + 2 < n && text.charAt(i + 1) == '.' && text.charAt(i + 2) == '.') {
                symbols++;
                i += 2; // "...." counts once, like an ellipsis character
                while (i + 1 < n && text.charAt(i + 1) == '.') i++;
                inWord = true;
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord && wordHasAlnum) {
                    words++;
                    wordChars += wordAlnum;
                }
                inWord = false;
                wordHasAlnum = false;
                wordAlnum = 0;
            } else {
                inWord = true;
                if (Character.isLetterOrDigit(c)) {
                    wordHasAlnum = true;
                    wordAlnum++;
                }
            }
        }
        return new TextStats(words, wordChars, symbols, lines, punctuated, duplicates);
    }

    /** Terminal punctuation, allowing closing quotes and brackets after it ("... end." or «... fin.»). */
    private static boolean endsSentence(String text, int start, int end) {
        int i = end - 1;
        while (i > start && "\"'”’»)]".indexOf(text.charAt(i)) >= 0) i--;
        char c = text.charAt(i);
        // ';' and U+037E: the Greek question mark.
        return c == '.'
                || c == '!'
                || c == '?'
                || c == '…'
                || c == ';'
                || c == '\u037E'
                || c == '。'
                || c == '！'
                || c == '？';
    }

    public double meanWordLength() {
        return words == 0 ? 0 : (double) wordChars / words;
    }
}
