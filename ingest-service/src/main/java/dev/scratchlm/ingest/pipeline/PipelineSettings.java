package dev.scratchlm.ingest.pipeline;

import java.util.List;

/** Thresholds of the per-document steps (service configuration; see application.properties for the defaults). */
public record PipelineSettings(
        List<String> detectLanguages,
        int languageSampleChars,
        boolean languageLowAccuracy,
        double languageFastMargin,
        int minWords,
        int maxWords,
        double minMeanWordLength,
        double maxMeanWordLength,
        double maxSymbolWordRatio,
        double minPunctuatedLineShare,
        double maxDuplicateLineShare,
        int minhashBands,
        int minhashRows,
        long minhashSeed) {

    /** Gopher/C4/FineWeb defaults, the 11 Europarl languages, 14 x 8 MinHash. */
    public static PipelineSettings defaults() {
        return new PipelineSettings(
                List.of("da", "de", "el", "en", "es", "fi", "fr", "it", "nl", "pt", "sv"),
                256,
                true,
                0.0001,
                50,
                100_000,
                3,
                10,
                0.1,
                0.12,
                0.3,
                14,
                8,
                1_234_567L);
    }

    /** The same settings with another margin for the language step's fast path (1: Lingua's detector for every text). */
    public PipelineSettings withLanguageFastMargin(double margin) {
        return new PipelineSettings(
                detectLanguages,
                languageSampleChars,
                languageLowAccuracy,
                margin,
                minWords,
                maxWords,
                minMeanWordLength,
                maxMeanWordLength,
                maxSymbolWordRatio,
                minPunctuatedLineShare,
                maxDuplicateLineShare,
                minhashBands,
                minhashRows,
                minhashSeed);
    }
}
