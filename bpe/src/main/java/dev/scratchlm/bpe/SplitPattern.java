package dev.scratchlm.bpe;

import java.util.regex.Pattern;

/**
 * The named pre-tokenization patterns. Text is first cut into pieces by one of these regexes and
 * BPE merges never cross a piece boundary, so the pattern decides what can become a token (words
 * with their leading space, digit groups, punctuation runs, whitespace).
 *
 * <p>Each pattern has its regex (the reference, also written into exported tokenizer.json files)
 * and an equivalent hand-written matcher in {@link PreTokenizer}, which is what encoding uses
 * because it is several times faster than java.util.regex. The tests hold the two to the same
 * output on the corpora and on random strings.
 */
public enum SplitPattern {
    /** GPT-2 / r50k_base: whole digit runs, case-sensitive contractions. */
    R50K("r50k", NumberPolicy.GPT2, "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /** GPT-4 / cl100k_base: digits in groups of up to three, newlines kept apart from words. */
    CL100K(
            "cl100k",
            NumberPolicy.GROUPS_OF_3,
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
                    + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"),
    /** cl100k's pattern with every digit its own piece (the "single" number policy). */
    CL100K_SINGLE_DIGITS(
            "cl100k-single-digits",
            NumberPolicy.SINGLE,
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
                    + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"),
    /** GPT-4o / o200k_base: CamelCase split into words, contractions stay on their word. */
    O200K(
            "o200k",
            NumberPolicy.GROUPS_OF_3,
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                    + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                    + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private final String id;
    private final NumberPolicy numberPolicy;
    private final String regex;

    SplitPattern(String id, NumberPolicy numberPolicy, String regex) {
        this.id = id;
        this.numberPolicy = numberPolicy;
        this.regex = regex;
    }

    /** The pattern's name in files and APIs, e.g. {@code r50k}. */
    public String id() {
        return id;
    }

    public NumberPolicy numberPolicy() {
        return numberPolicy;
    }

    /** The regex in java.util.regex syntax; it must be compiled with UNICODE_CHARACTER_CLASS. */
    public String regex() {
        return regex;
    }

    /** The regex compiled the way the hand-written matcher interprets it. */
    public Pattern compile() {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /**
     * Where the piece that starts at {@code start} ends, looking no further than {@code end}
     * (which acts as the end of the text, exactly as if the regex ran on that substring).
     */
    public int pieceEnd(char[] text, int start, int end) {
        return switch (this) {
            case R50K -> PreTokenizer.r50k(text, start, end);
            case CL100K -> PreTokenizer.cl100k(text, start, end, 3);
            case CL100K_SINGLE_DIGITS -> PreTokenizer.cl100k(text, start, end, 1);
            case O200K -> PreTokenizer.o200k(text, start, end);
        };
    }

    /** The default pattern of a number policy: GPT-2's for gpt2, cl100k's otherwise. */
    public static SplitPattern forNumberPolicy(NumberPolicy policy) {
        return switch (policy) {
            case GPT2 -> R50K;
            case GROUPS_OF_3 -> CL100K;
            case SINGLE -> CL100K_SINGLE_DIGITS;
        };
    }

    public static SplitPattern fromId(String id) {
        for (SplitPattern p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown split pattern '" + id + "' (expected r50k, cl100k, cl100k-single-digits or o200k)");
    }
}
