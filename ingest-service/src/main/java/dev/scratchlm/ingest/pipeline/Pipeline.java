package dev.scratchlm.ingest.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The per-document pipeline: an ordered list of steps, each with its own name, reason codes and counters. A document
 * leaves at the first step that rejects it. Exact and near-duplicate removal follow in the catalog, because they
 * need every document accepted before (see {@code CatalogRepository#decide}).
 */
public final class Pipeline {
    private final List<Step> steps;
    private final List<StepCounts> stats;

    public Pipeline(List<Step> steps) {
        this.steps = List.copyOf(steps);
        List<StepCounts> s = new ArrayList<>();
        for (Step step : steps) s.add(new StepCounts(step.name(), step.description()));
        this.stats = Collections.unmodifiableList(s);
    }

    /** The standard order: cheap structural steps first, language and quality next, then the hashing work. */
    public static Pipeline standard(PipelineSettings s) {
        return new Pipeline(List.of(
                new ExtractText(),
                new Normalize(),
                new Cutoff(),
                new LanguageId(
                        s.detectLanguages(), s.languageSampleChars(), s.languageLowAccuracy(), s.languageFastMargin()),
                new WordCountRule(s.minWords(), s.maxWords()),
                new MeanWordLengthRule(s.minMeanWordLength(), s.maxMeanWordLength()),
                new SymbolRatioRule(s.maxSymbolWordRatio()),
                new LinePunctuationRule(s.minPunctuatedLineShare()),
                new DuplicateLinesRule(s.maxDuplicateLineShare()),
                new PiiScrub(),
                new MinHashStep(new MinHash(s.minhashBands(), s.minhashRows(), s.minhashSeed()))));
    }

    public List<Step> steps() {
        return steps;
    }

    public List<StepCounts> stats() {
        return stats;
    }

    /** Runs the steps in order; @return null when every step kept the document, otherwise the first rejection. */
    public Rejection run(Doc doc, SourcePolicy policy) {
        for (int i = 0; i < steps.size(); i++) {
            long t0 = System.nanoTime();
            Rejection r = steps.get(i).apply(doc, policy);
            stats.get(i).record(1, doc.rawBytes, System.nanoTime() - t0, r == null ? 0 : 1);
            if (r != null) return r;
        }
        return null;
    }

    /** The language step, for callers that need its candidate list. */
    public LanguageId languageId() {
        for (Step s : steps) if (s instanceof LanguageId l) return l;
        throw new IllegalStateException("this pipeline identifies no language");
    }
}
