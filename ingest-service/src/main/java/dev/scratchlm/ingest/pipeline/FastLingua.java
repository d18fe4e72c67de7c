package dev.scratchlm.ingest.pipeline;

import com.github.pemistahl.lingua.api.Language;
import java.util.List;
import java.util.Locale;

/**
 * Lingua's trigram decision (its low-accuracy mode, and its high-accuracy mode on texts of 120+ characters) without
 * Lingua's cost per call. Lingua cleans the text with regexes, splits words, runs two rule stages over boxed maps, then
 * sums ln p of every distinct character trigram per language (naive Bayes) through a thread pool. The same steps run
 * here in one pass over the characters with Lingua's own models and rule tables ({@link LinguaModels},
 * {@link LinguaRules}) in primitive arrays, reusing per-thread buffers: nothing is allocated per document.
 * <p>
 * The answer is Lingua's answer unless it is a close call: when the second-best language's Lingua confidence (best sum
 * / its sum) is within {@code margin} of the best's 1.0, the caller asks Lingua itself, as it does for texts with
 * characters this path leaves to Lingua (Chinese and Japanese script, surrogate pairs) and for short texts in
 * high-accuracy mode (Lingua then uses 1- to 5-grams).
 */
final class FastLingua {
    /** Results besides a candidate index. */
    static final int UNKNOWN = -1, ASK_LINGUA = -2;
    /** Lingua's length from which high-accuracy mode uses trigrams only. */
    private static final int HIGH_ACCURACY_MODE_MAX_TEXT_LENGTH = 120;

    private static final int RESTART_LOWERCASED = -3;

    private final int n;
    private final LinguaModels models;
    private final LinguaRules rules;
    private final boolean lowAccuracy;
    private final double margin;
    private final ThreadLocal<Scratch> scratch;

    FastLingua(List<Language> candidates, boolean lowAccuracy, double margin) {
        this.n = candidates.size();
        this.models = LinguaModels.load(candidates);
        this.rules = new LinguaRules(candidates);
        this.lowAccuracy = lowAccuracy;
        this.margin = margin;
        LinguaRules.Chars c = rules.c;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(n, rules.mappingLanguages.length, c.alphabets.length));
    }

    /** Buffers of one thread, reused for every document. */
    private static final class Scratch {
        char[] text = new char[512];
        int length;
        boolean hasLetter;
        // rule 1: per word, how many characters count for each language; over all words, how many words per language
        final int[] wordCounts, touched, totals;
        int touchedCount, unknownWords, words;
        // rule 2: how many words per alphabet (in order of first appearance); mapping characters per language
        final int[] alphabetWords, alphabetOrder, mappingCounts, mappingSeenInWord;
        int alphabetsSeen, wordAlphabet;
        final boolean[] active;
        final float[] sums;
        float secondConfidence;
        // the distinct trigrams of the text (Lingua scores a set): open addressing, cleared by bumping the generation
        long[] seen = new long[1024];
        int[] seenGeneration = new int[1024];
        int generation;

        Scratch(int languages, int mappingChars, int alphabets) {
            wordCounts = new int[languages];
            touched = new int[languages];
            totals = new int[languages];
            alphabetWords = new int[alphabets];
            alphabetOrder = new int[alphabets];
            mappingCounts = new int[languages];
            mappingSeenInWord = new int[mappingChars];
            active = new boolean[languages];
            sums = new float[languages];
        }

        void reset() {
            length = 0;
            hasLetter = false;
            touchedCount = unknownWords = words = alphabetsSeen = 0;
            wordAlphabet = -2;
            java.util.Arrays.fill(wordCounts, 0); // a pass that stopped mid-word leaves counts behind
            java.util.Arrays.fill(totals, 0);
            java.util.Arrays.fill(alphabetWords, 0);
            java.util.Arrays.fill(mappingCounts, 0);
            java.util.Arrays.fill(mappingSeenInWord, 0);
            java.util.Arrays.fill(sums, 0f);
            secondConfidence = Float.NaN;
        }
    }

    /** @return the candidate index Lingua would answer for text[0, end), {@link #UNKNOWN}, or {@link #ASK_LINGUA} */
    int detect(String text, int end) {
        Scratch s = scratch.get();
        int start = 0;
        while (start < end && LinguaRules.trimmed(text.charAt(start))) start++;
        while (end > start && LinguaRules.trimmed(text.charAt(end - 1))) end--;
        int r = clean(s, text, start, end, true);
        if (r == RESTART_LOWERCASED) {
            // Java's lowercasing of these two letters depends on context (final sigma) or yields two chars (dotted I)
            String lowered = text.substring(start, end).toLowerCase(Locale.ROOT);
            r = clean(s, lowered, 0, lowered.length(), false);
        }
        if (r != 0) return r;
        if (s.length == 0 || !s.hasLetter) return UNKNOWN;

        int byRule = wordRule(s);
        if (byRule != UNKNOWN) return byRule;
        int only = filterByRules(s);
        if (only >= 0) return only;

        if (lowAccuracy && s.length < 3) return UNKNOWN;
        if (!lowAccuracy && s.length < HIGH_ACCURACY_MODE_MAX_TEXT_LENGTH) return ASK_LINGUA;
        return score(s);
    }

    /**
     * Lingua's clean-up into the scratch text (trim done by the caller; lowercase, drop punctuation and numbers, runs of
     * whitespace to one space) while walking its words for both rule stages. @return 0, or why to stop
     */
    private int clean(Scratch s, String text, int start, int end, boolean lowercase) {
        s.reset();
        if (s.text.length < (end - start) + 1) s.text = new char[Integer.highestOneBit(end - start) << 1];
        char[] out = s.text;
        int length = 0;
        boolean pendingSpace = false;
        byte[] kind = rules.c.kind;
        for (int i = start; i < end; i++) {
            char ch = text.charAt(i);
            if (lowercase) {
                if (ch == '\u03A3' || ch == '\u0130') return RESTART_LOWERCASED;
                ch = Character.toLowerCase(ch);
            }
            switch (kind[ch]) {
                case LinguaRules.DROP -> {}
                case LinguaRules.SPACE -> pendingSpace = true;
                case LinguaRules.ASK_LINGUA -> {
                    return ASK_LINGUA;
                }
                default -> {
                    if (pendingSpace) {
                        out[length++] = ' ';
                        pendingSpace = false;
                        if (s.wordAlphabet != -2) endWord(s);
                    }
                    out[length++] = ch;
                    inWord(s, ch);
                }
            }
        }
        if (pendingSpace) out[length++] = ' ';
        if (s.wordAlphabet != -2) endWord(s);
        s.length = length;
        return 0;
    }

    private void inWord(Scratch s, char ch) {
        LinguaRules.Chars c = rules.c;
        if (c.kind[ch] == LinguaRules.LETTER) s.hasLetter = true;
        int rule = rules.wordRuleIndex[ch];
        if (rule != 0) {
            for (int l : rules.wordRuleLanguages[rule]) if (s.wordCounts[l]++ == 0) s.touched[s.touchedCount++] = l;
        }
        int a = c.alphabet[ch];
        s.wordAlphabet = s.wordAlphabet == -2 || s.wordAlphabet == a ? a : -1;
        int m = rules.mappingIndex[ch];
        if (m != 0 && s.mappingSeenInWord[m] != s.words + 1) { // Lingua: word.contains(char), once per word
            s.mappingSeenInWord[m] = s.words + 1;
            for (int l : rules.mappingLanguages[m]) s.mappingCounts[l]++;
        }
    }

    private void endWord(Scratch s) {
        // Rule 1 per word: the language most of its special characters point to, if there is exactly one such maximum.
        if (s.touchedCount == 0) {
            s.unknownWords++;
        } else {
            int best = -1, bestCount = 0, secondCount = 0;
            for (int i = 0; i < s.touchedCount; i++) {
                int l = s.touched[i], count = s.wordCounts[l];
                if (count > bestCount) {
                    secondCount = bestCount;
                    bestCount = count;
                    best = l;
                } else if (count > secondCount) {
                    secondCount = count;
                }
                s.wordCounts[l] = 0;
            }
            if (bestCount > secondCount) s.totals[best]++;
            else s.unknownWords++;
            s.touchedCount = 0;
        }
        // Rule 2 per word: the alphabet every character of the word belongs to, if any.
        if (s.wordAlphabet >= 0) {
            if (s.alphabetWords[s.wordAlphabet]++ == 0) s.alphabetOrder[s.alphabetsSeen++] = s.wordAlphabet;
        }
        s.wordAlphabet = -2;
        s.words++;
    }

    /** Lingua's detectLanguageWithRules: a language when the words' special characters agree, else UNKNOWN. */
    private int wordRule(Scratch s) {
        boolean unknownCounts = s.unknownWords > 0 && s.unknownWords >= 0.5 * s.words;
        int entries = unknownCounts ? 1 : 0;
        int best = UNKNOWN, bestCount = unknownCounts ? s.unknownWords : 0, secondCount = 0;
        for (int l = 0; l < n; l++) {
            int count = s.totals[l];
            if (count == 0) continue;
            entries++;
            if (count > bestCount) {
                secondCount = bestCount;
                bestCount = count;
                best = l;
            } else if (count > secondCount) {
                secondCount = count;
            }
        }
        if (entries == 0) return UNKNOWN;
        if (entries == 1) return best;
        return bestCount == secondCount ? UNKNOWN : best;
    }

    /**
     * Lingua's filterLanguagesByRules: the candidates written in the alphabet most words use, narrowed to those whose
     * special characters appear in at least half of the words. Marks them in {@code s.active}.
     * @return the only remaining candidate, or -1
     */
    private int filterByRules(Scratch s) {
        boolean[] active = s.active;
        boolean all = s.alphabetsSeen == 0;
        if (s.alphabetsSeen > 1) {
            all = true;
            int first = s.alphabetWords[s.alphabetOrder[0]];
            for (int i = 1; i < s.alphabetsSeen; i++) if (s.alphabetWords[s.alphabetOrder[i]] != first) all = false;
        }
        if (all) {
            java.util.Arrays.fill(active, true);
            return n == 1 ? 0 : -1;
        }
        int top = s.alphabetOrder[0];
        for (int i = 1; i < s.alphabetsSeen; i++) {
            int a = s.alphabetOrder[i];
            if (s.alphabetWords[a] > s.alphabetWords[top]) top = a;
        }
        boolean[] written = rules.writtenIn[top];
        boolean anySubset = false;
        for (int l = 0; l < n; l++) if (written[l] && s.mappingCounts[l] >= s.words / 2.0) anySubset = true;
        int count = 0, last = -1;
        for (int l = 0; l < n; l++) {
            active[l] = written[l] && (!anySubset || s.mappingCounts[l] >= s.words / 2.0);
            if (active[l]) {
                count++;
                last = l;
            }
        }
        return count == 1 ? last : -1;
    }

    /** Naive Bayes over the distinct trigrams, then Lingua's decision, or ASK_LINGUA on a close call. */
    private int score(Scratch s) {
        int capacity = s.seen.length;
        if (capacity < 2 * s.length) {
            capacity = Integer.highestOneBit(2 * s.length) << 1;
            s.seen = new long[capacity];
            s.seenGeneration = new int[capacity];
            s.generation = 0;
        }
        int generation = ++s.generation;
        int mask = capacity - 1, shift = 64 - Integer.numberOfTrailingZeros(capacity);
        long[] seen = s.seen;
        int[] seenGeneration = s.seenGeneration;
        byte[] kind = rules.c.kind;
        char[] t = s.text;
        float[] sums = s.sums;
        int letters = 0;
        for (int i = 0; i < s.length; i++) {
            letters = kind[t[i]] == LinguaRules.LETTER ? letters + 1 : 0;
            if (letters < 3) continue;
            char a = t[i - 2], b = t[i - 1], c = t[i];
            long key = LinguaModels.key(a, b, c);
            int slot = (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift);
            boolean fresh = true;
            while (seenGeneration[slot] == generation) {
                if (seen[slot] == key) {
                    fresh = false;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            if (!fresh) continue;
            seen[slot] = key;
            seenGeneration[slot] = generation;
            models.addTrigram(a, b, c, sums);
        }

        // Lingua keeps languages with a sum below 0; confidence = best sum / sum; a tie is UNKNOWN.
        int best = -1, second = -1;
        for (int l = 0; l < n; l++) {
            if (!s.active[l] || !(sums[l] < 0f)) continue;
            if (best < 0 || sums[l] > sums[best]) {
                second = best;
                best = l;
            } else if (second < 0 || sums[l] > sums[second]) {
                second = l;
            }
        }
        if (best < 0) return UNKNOWN;
        if (second < 0) return best;
        float secondConfidence = s.secondConfidence = sums[best] / sums[second];
        return secondConfidence >= 1.0 - margin ? ASK_LINGUA : best; // margin 0 still sends ties to Lingua
    }

    /** The runner-up's Lingua confidence on this text (for tests and tuning), or NaN when no trigram scores decided. */
    double secondConfidence(String text) {
        detect(text, text.length());
        return scratch.get().secondConfidence;
    }
}
