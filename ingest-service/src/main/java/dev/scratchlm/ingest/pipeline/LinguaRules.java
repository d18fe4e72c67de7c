package dev.scratchlm.ingest.pipeline;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.internal.Alphabet;
import com.github.pemistahl.lingua.internal.Constant;
import com.github.pemistahl.lingua.internal.util.extension.CharExtensionsKt;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-character tables for Lingua's text clean-up and its two rule stages, built once from Lingua's own predicates
 * and tables (its alphabets, the characters unique to a language, its character-to-languages mapping), so the fast
 * path decides exactly as Lingua 1.2.2 does without Lingua's regexes and maps per call. These are Lingua internals
 * (public in its bytecode): an upgrade of Lingua that changes them fails to compile here, and the agreement test
 * checks the behaviour.
 */
final class LinguaRules {
    /** Character classes of a lowercased character in Lingua's clean-up (trim, lowercase, drop \p{P} and \p{N}, \s+ to one space). */
    static final byte OTHER = 0, LETTER = 1, SPACE = 2, DROP = 3, ASK_LINGUA = 4;

    /** Candidate-independent tables, indexed by (lowercased) UTF-16 char. */
    static final class Chars {
        final byte[] kind = new byte[65536];
        /** Index into {@link Alphabet#values()} of the alphabet the char belongs to, or -1. */
        final byte[] alphabet = new byte[65536];

        final Alphabet[] alphabets = Alphabet.values();

        private Chars() {
            Map<Character.UnicodeScript, Byte> byScript = new HashMap<>();
            for (int i = 0; i < 65536; i++) {
                char c = (char) i;
                kind[i] = kindOf(c);
                if (Character.isSurrogate(c)) {
                    alphabet[i] = -1;
                    continue;
                }
                // Lingua's Alphabet.matches(char) compares the char's Unicode script: one probe per script suffices.
                alphabet[i] = byScript.computeIfAbsent(Character.UnicodeScript.of(c), s -> {
                    for (int a = 0; a < alphabets.length; a++) if (alphabets[a].matches(c)) return (byte) a;
                    return (byte) -1;
                });
            }
        }

        private static byte kindOf(char c) {
            // Lingua splits words at logograms and counts Chinese and Japanese characters in its rules; surrogate pairs
            // are code points to its regexes. Both are rare in European text: such texts go to Lingua itself.
            if (Character.isSurrogate(c)
                    || CharExtensionsKt.isLogogram(c)
                    || Alphabet.HAN.matches(c)
                    || Constant.INSTANCE.isJapaneseAlphabet(c)) return ASK_LINGUA;
            switch (c) {
                case ' ', '\t', '\n', '\u000B', '\f', '\r' -> {
                    return SPACE;
                } // regex \s
                default -> {}
            }
            switch (Character.getType(c)) {
                case Character.CONNECTOR_PUNCTUATION,
                        Character.DASH_PUNCTUATION,
                        Character.START_PUNCTUATION,
                        Character.END_PUNCTUATION,
                        Character.INITIAL_QUOTE_PUNCTUATION,
                        Character.FINAL_QUOTE_PUNCTUATION,
                        Character.OTHER_PUNCTUATION, // \p{P}
                        Character.DECIMAL_DIGIT_NUMBER,
                        Character.LETTER_NUMBER,
                        Character.OTHER_NUMBER -> { // \p{N}
                    return DROP;
                }
                default -> {}
            }
            return Character.isLetter(c) ? LETTER : OTHER;
        }
    }

    private static Chars chars;

    static synchronized Chars chars() {
        if (chars == null) chars = new Chars();
        return chars;
    }

    final Chars c = chars();

    /** Rule 1: per char, the candidates it counts for (a one-language alphabet, or a language's unique characters). */
    final short[] wordRuleIndex = new short[65536];

    final int[][] wordRuleLanguages;

    /** Rule 2: per char of Lingua's character-to-languages mapping, the candidates it counts for (once per mapping entry). */
    final short[] mappingIndex = new short[65536];

    final int[][] mappingLanguages;

    /** Rule 2: per alphabet, which candidates are written in it. */
    final boolean[][] writtenIn;

    LinguaRules(List<Language> candidates) {
        int n = candidates.size();
        Map<Alphabet, Language> oneLanguageAlphabets = new HashMap<>();
        for (Map.Entry<Alphabet, Language> e :
                Alphabet.Companion.allSupportingExactlyOneLanguage().entrySet()) {
            if (candidates.contains(e.getValue())) oneLanguageAlphabets.put(e.getKey(), e.getValue());
        }
        List<int[]> ruleLists = new ArrayList<>();
        ruleLists.add(new int[0]);
        for (int i = 0; i < 65536; i++) {
            char ch = (char) i;
            if (c.kind[i] == ASK_LINGUA) continue;
            List<Integer> langs = new ArrayList<>();
            boolean alphabetMatch = false;
            for (Map.Entry<Alphabet, Language> e : oneLanguageAlphabets.entrySet()) {
                if (e.getKey().matches(ch)) {
                    langs.add(candidates.indexOf(e.getValue()));
                    alphabetMatch = true;
                    break;
                }
            }
            if (!alphabetMatch
                    && (Alphabet.LATIN.matches(ch)
                            || Alphabet.CYRILLIC.matches(ch)
                            || Alphabet.DEVANAGARI.matches(ch))) {
                for (int l = 0; l < n; l++) {
                    String unique = candidates.get(l).getUniqueCharacters$lingua();
                    if (unique != null && !unique.isBlank() && unique.indexOf(ch) >= 0) langs.add(l);
                }
            }
            if (!langs.isEmpty()) {
                wordRuleIndex[i] = (short) ruleLists.size();
                ruleLists.add(langs.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        wordRuleLanguages = ruleLists.toArray(int[][]::new);

        Map<Character, List<Integer>> mapping = new HashMap<>();
        for (Map.Entry<String, EnumSet<Language>> e :
                Constant.INSTANCE.getCHARS_TO_LANGUAGES_MAPPING().entrySet()) {
            for (char ch : e.getKey().toCharArray()) {
                for (Language language : e.getValue()) {
                    int l = candidates.indexOf(language);
                    if (l >= 0)
                        mapping.computeIfAbsent(ch, k -> new ArrayList<>()).add(l);
                }
            }
        }
        List<int[]> mappingLists = new ArrayList<>();
        mappingLists.add(new int[0]);
        for (Map.Entry<Character, List<Integer>> e : mapping.entrySet()) {
            mappingIndex[e.getKey()] = (short) mappingLists.size();
            mappingLists.add(e.getValue().stream().mapToInt(Integer::intValue).toArray());
        }
        mappingLanguages = mappingLists.toArray(int[][]::new);

        writtenIn = new boolean[c.alphabets.length][n];
        for (int a = 0; a < c.alphabets.length; a++) {
            for (int l = 0; l < n; l++)
                writtenIn[a][l] = candidates.get(l).getAlphabets$lingua().contains(c.alphabets[a]);
        }
    }

    /** Kotlin's trim(): whitespace or space separators at either end. */
    static boolean trimmed(char ch) {
        return Character.isWhitespace(ch) || Character.isSpaceChar(ch);
    }
}
