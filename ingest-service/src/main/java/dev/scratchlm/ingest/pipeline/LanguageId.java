package dev.scratchlm.ingest.pipeline;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Language identification with Lingua, restricted to the configured candidate languages, then the source's
 * allow-list. Lingua looks up every character trigram of its input in each candidate's model, so its cost grows
 * with the text: it reads a prefix of {@code sampleChars} (cut at a word boundary). Low-accuracy mode (trigrams only)
 * keeps the models small and the start fast; on texts over 120 characters both modes use trigrams anyway.
 * <p>
 * Lingua's detector allocates heavily per call (regexes, boxed maps, a thread-pool hand-off), about 400 µs per
 * document. {@link FastLingua} reaches the same decision with Lingua's own models and rules in primitive tables;
 * Lingua itself still decides the close calls (the runner-up within {@code fastMargin} of the best, in Lingua's
 * confidence) and the texts the fast path leaves to it. A margin of 1 or more turns the fast path off.
 */
public final class LanguageId implements Step {
    private final LanguageDetector detector;
    private final FastLingua fast;
    private final List<String> candidates;
    private final int sampleChars;
    private final boolean lowAccuracy;
    private final double fastMargin;
    private final LongAdder decidedFast = new LongAdder();
    private final LongAdder decidedByLingua = new LongAdder();

    public LanguageId(Collection<String> candidateCodes, int sampleChars, boolean lowAccuracy) {
        this(
                candidateCodes,
                sampleChars,
                lowAccuracy,
                PipelineSettings.defaults().languageFastMargin());
    }

    public LanguageId(Collection<String> candidateCodes, int sampleChars, boolean lowAccuracy, double fastMargin) {
        this.candidates = candidateCodes.stream()
                .map(c -> c.toLowerCase(Locale.ROOT))
                .distinct()
                .sorted()
                .toList();
        if (candidates.size() < 2)
            throw new IllegalArgumentException("language identification needs at least two candidate languages");
        if (sampleChars < 1)
            throw new IllegalArgumentException("the language sample needs at least one character, got " + sampleChars);
        if (!(fastMargin >= 0))
            throw new IllegalArgumentException("the fast path's margin must be 0 or more, got " + fastMargin);
        IsoCode639_1[] codes = candidates.stream().map(LanguageId::iso).toArray(IsoCode639_1[]::new);
        LanguageDetectorBuilder builder = LanguageDetectorBuilder.fromIsoCodes639_1(codes);
        if (lowAccuracy) builder = builder.withLowAccuracyMode();
        this.detector = builder.withPreloadedLanguageModels().build();
        List<Language> languages =
                candidates.stream().map(c -> Language.getByIsoCode639_1(iso(c))).toList();
        this.fast = fastMargin < 1 ? new FastLingua(languages, lowAccuracy, fastMargin) : null;
        this.sampleChars = sampleChars;
        this.lowAccuracy = lowAccuracy;
        this.fastMargin = fastMargin;
    }

    /** The ISO 639-1 code, or an error naming what Lingua supports. */
    public static IsoCode639_1 iso(String code) {
        try {
            IsoCode639_1 iso = IsoCode639_1.valueOf(code.toUpperCase(Locale.ROOT));
            if (iso == IsoCode639_1.NONE) throw new IllegalArgumentException();
            return iso;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + code + "' is not an ISO 639-1 language code Lingua knows");
        }
    }

    public List<String> candidates() {
        return candidates;
    }

    @Override
    public String name() {
        return "language";
    }

    @Override
    public String description() {
        return "Lingua over " + candidates + (lowAccuracy ? " (low-accuracy mode)" : "") + ", first " + sampleChars
                + " characters; reject languages outside the allow-list. "
                + (fast == null
                        ? "Every text goes through Lingua's detector"
                        : "Lingua's trigram models and rules in primitive tables decide; Lingua's detector itself only when the "
                                + "runner-up is within "
                                + java.math.BigDecimal.valueOf(fastMargin)
                                        .stripTrailingZeros()
                                        .toPlainString()
                                + " of the best (fast-margin) or the text needs it");
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        String detected = detect(doc.text);
        if (detected == null) {
            if (doc.languageHint == null) return new Rejection("language", "language could not be identified");
            detected = doc.languageHint.toLowerCase(Locale.ROOT); // the source's word, when the text cannot tell
        }
        doc.language = detected;
        if (!policy.languages().contains(detected)) {
            return new Rejection(
                    "language",
                    "identified as '" + detected + "', allowed "
                            + policy.languages().stream().sorted().toList());
        }
        return null;
    }

    /** @return the ISO 639-1 code, or null when Lingua cannot decide */
    public String detect(String text) {
        int end = sampleEnd(text, sampleChars);
        if (fast != null) {
            int r = fast.detect(text, end);
            if (r != FastLingua.ASK_LINGUA) {
                decidedFast.increment();
                return r == FastLingua.UNKNOWN ? null : candidates.get(r);
            }
        }
        decidedByLingua.increment();
        return detectWithLingua(text);
    }

    /** Lingua's detector alone, on the same sample: the reference the fast path is tested against. */
    public String detectWithLingua(String text) {
        Language language = detector.detectLanguageOf(text.substring(0, sampleEnd(text, sampleChars)));
        if (language == Language.UNKNOWN) return null;
        return language.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }

    /** Documents decided by the fast path so far. */
    public long decidedFast() {
        return decidedFast.sum();
    }

    /** Documents Lingua's detector decided so far (close calls, texts the fast path leaves to it, or fast path off). */
    public long decidedByLingua() {
        return decidedByLingua.sum();
    }

    static String sample(String text, int chars) {
        return text.substring(0, sampleEnd(text, chars));
    }

    /** The end of the prefix of about {@code chars} characters, moved back to a word boundary (not below half). */
    static int sampleEnd(String text, int chars) {
        if (text.length() <= chars) return text.length();
        int end = chars;
        while (end > chars / 2 && !Character.isWhitespace(text.charAt(end))) end--;
        return end;
    }
}
