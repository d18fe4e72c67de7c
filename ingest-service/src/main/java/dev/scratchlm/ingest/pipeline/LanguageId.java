package dev.scratchlm.ingest.pipeline;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Language identification with Lingua, restricted to the configured candidate languages, then the source's
 * allow-list. Lingua looks up every character trigram of its input in each candidate's model, so its cost grows
 * with the text: it reads a prefix of {@code sampleChars} (cut at a word boundary). Low-accuracy mode (trigrams only)
 * keeps the models small and the start fast; on texts over 120 characters both modes use trigrams anyway.
 */
public final class LanguageId implements Step {
    private final LanguageDetector detector;
    private final List<String> candidates;
    private final int sampleChars;
    private final boolean lowAccuracy;

    public LanguageId(Collection<String> candidateCodes, int sampleChars, boolean lowAccuracy) {
        this.candidates = candidateCodes.stream().map(c -> c.toLowerCase(Locale.ROOT)).sorted().toList();
        if (candidates.size() < 2) throw new IllegalArgumentException("language identification needs at least two candidate languages");
        IsoCode639_1[] codes = candidates.stream().map(LanguageId::iso).toArray(IsoCode639_1[]::new);
        LanguageDetectorBuilder builder = LanguageDetectorBuilder.fromIsoCodes639_1(codes);
        if (lowAccuracy) builder = builder.withLowAccuracyMode();
        this.detector = builder.withPreloadedLanguageModels().build();
        this.sampleChars = sampleChars;
        this.lowAccuracy = lowAccuracy;
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
                + " characters; reject languages outside the allow-list";
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
            return new Rejection("language", "identified as '" + detected + "', allowed " + policy.languages().stream().sorted().toList());
        }
        return null;
    }

    /** @return the ISO 639-1 code, or null when Lingua cannot decide */
    public String detect(String text) {
        Language language = detector.detectLanguageOf(sample(text, sampleChars));
        if (language == Language.UNKNOWN) return null;
        return language.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }

    static String sample(String text, int chars) {
        if (text.length() <= chars) return text;
        int end = chars;
        while (end > chars / 2 && !Character.isWhitespace(text.charAt(end))) end--;
        return text.substring(0, end);
    }
}
