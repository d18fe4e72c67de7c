package dev.scratchlm.ingest.pipeline;

import java.util.Locale;

/** Shared shape of the Gopher/C4 heuristics: one measured value per document against configured bounds. */
abstract class QualityRule implements Step {
    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
