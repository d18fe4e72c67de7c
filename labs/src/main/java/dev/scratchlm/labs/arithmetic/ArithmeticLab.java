package dev.scratchlm.labs.arithmetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.labs.arithmetic.AdditionProblems.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Why models are bad at arithmetic, measured: the same addition problems tokenized with each {@link NumberPolicy},
 * the same model trained on each with the same token budget, with the answer written normally and reversed (least
 * significant digit first, so each digit depends only on digits already written and on one carry). Writes
 * {@code arithmetic.json} for the lab page and returns the summary line.
 */
public final class ArithmeticLab {
    public static final String NAME = "arithmetic";
    static final List<NumberPolicy> POLICIES =
            List.of(NumberPolicy.GPT2, NumberPolicy.GROUPS_OF_3, NumberPolicy.SINGLE);

    private ArithmeticLab() {}

    /** Runs the lab and writes {@code outDir/arithmetic.json}; returns the {@code key=value} summary line. */
    public static String run(LabConfig cfg, Path outDir, Consumer<String> progress)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        AdditionProblems.Splits splits =
                AdditionProblems.generate(cfg.seed(), cfg.maxDigits(), cfg.trainPerDigit(), cfg.testPerDigit());
        progress.accept(String.format(
                "%d training and %d test problems of 1-%d digits (seed %d); model %s, "
                        + "%d steps x %d x %d = %d tokens each, %d at once",
                splits.train().size(),
                splits.test().size(),
                cfg.maxDigits(),
                cfg.seed(),
                cfg.model(),
                cfg.steps(),
                cfg.batchSize(),
                cfg.seqLen(),
                cfg.tokenBudget(),
                cfg.parallel()));

        // One tokenizer per policy, trained on both answer forms of the training lines, same target vocabulary.
        List<String> lines = new ArrayList<>(splits.train().size() * 2);
        for (Problem p : splits.train()) {
            lines.add(p.text(false) + "\n");
            lines.add(p.text(true) + "\n");
        }
        Map<NumberPolicy, Tokenizer> tokenizers = new LinkedHashMap<>();
        for (NumberPolicy policy : POLICIES) {
            Tokenizer tok = BpeTrainer.train(
                    lines,
                    new BpeTrainer.Config(
                            cfg.vocabSize(), SplitPattern.forNumberPolicy(policy), List.of(ChatTemplate.ENDOFTEXT), 2));
            tokenizers.put(policy, tok);
            progress.accept(String.format(
                    "tokenizer %-11s %d tokens: %s",
                    policy.id(),
                    tok.vocabSize(),
                    String.join("|", new AdditionTokens(tok, false, 0).pieces(AdditionProblems.EXAMPLE))));
        }

        List<AdditionRun.Result> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(cfg.parallel());
        try {
            List<Future<AdditionRun.Result>> runs = new ArrayList<>();
            for (boolean reversed : new boolean[] {false, true}) {
                for (NumberPolicy policy : POLICIES) {
                    Tokenizer tok = tokenizers.get(policy);
                    AdditionTokens tokens = new AdditionTokens(tok, reversed, tok.specialId(ChatTemplate.ENDOFTEXT));
                    runs.add(pool.submit(() -> AdditionRun.run(cfg, policy, tokens, splits, progress)));
                }
            }
            for (Future<AdditionRun.Result> f : runs) results.add(f.get());
        } catch (ExecutionException e) {
            throw new IllegalStateException("a training run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        int at = Math.min(5, cfg.maxDigits());
        String summary = summary(results, at, wall);
        write(outDir, json(cfg, splits, tokenizers, results, at, wall, summary));
        return summary;
    }

    /** The last line the launcher prints: accuracy at {@code at} digits, normal form first. */
    static String summary(List<AdditionRun.Result> results, int at, double wall) {
        StringBuilder b = new StringBuilder();
        for (boolean reversed : new boolean[] {false, true}) {
            for (AdditionRun.Result r : results) {
                if (r.reversed() != reversed) continue;
                b.append(b.length() == 0 ? "" : " ")
                        .append("acc_")
                        .append(key(r.policy()))
                        .append(reversed ? "_reversed" : "")
                        .append('=')
                        .append(String.format(Locale.ROOT, "%.3f", r.score().accuracy(at)));
            }
        }
        return b.append(" digits=")
                .append(at)
                .append(String.format(Locale.ROOT, " wall_seconds=%.0f", wall))
                .toString();
    }

    static String key(NumberPolicy p) {
        return p == NumberPolicy.GROUPS_OF_3 ? "groups3" : p.id();
    }

    private static Map<String, Object> json(
            LabConfig cfg,
            AdditionProblems.Splits splits,
            Map<NumberPolicy, Tokenizer> tokenizers,
            List<AdditionRun.Result> results,
            int at,
            double wall,
            String summary) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("lab", NAME);
        root.put("summary", summary);
        root.put("summaryDigits", at);
        root.put("wallSeconds", round(wall, 1));
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("seed", cfg.seed());
        setup.put("maxDigits", cfg.maxDigits());
        setup.put("trainProblems", splits.train().size());
        setup.put("testProblems", splits.test().size());
        setup.put("model", cfg.model());
        setup.put("parameters", results.isEmpty() ? 0 : results.get(0).parameters());
        setup.put("steps", cfg.steps());
        setup.put("batchSize", cfg.batchSize());
        setup.put("seqLen", cfg.seqLen());
        setup.put("tokenBudget", cfg.tokenBudget());
        setup.put("learningRate", cfg.lr());
        setup.put("parallelRuns", cfg.parallel());
        setup.put("threads", cfg.threads());
        root.put("setup", setup);
        root.put(
                "digits",
                splits.test().stream().map(Problem::digits).distinct().sorted().toList());
        root.put("policies", POLICIES.stream().map(NumberPolicy::id).toList());
        root.put("forms", List.of("normal", "reversed"));
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("prompt", AdditionProblems.EXAMPLE.prompt());
        example.put("answer", AdditionProblems.EXAMPLE.answer(false));
        example.put("reversedAnswer", AdditionProblems.EXAMPLE.answer(true));
        example.put("inTestSplit", splits.test().contains(AdditionProblems.EXAMPLE));
        root.put("example", example);
        Map<String, Object> toks = new LinkedHashMap<>();
        tokenizers.forEach((p, t) -> toks.put(p.id(), Map.of("vocabSize", t.vocabSize())));
        root.put("tokenizers", toks);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (AdditionRun.Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("policy", r.policy().id());
            m.put("form", r.reversed() ? "reversed" : "normal");
            Map<String, Object> acc = new LinkedHashMap<>(),
                    correct = new LinkedHashMap<>(),
                    total = new LinkedHashMap<>();
            r.accuracy().forEach((d, a) -> {
                acc.put(Integer.toString(d), round(a, 4));
                correct.put(Integer.toString(d), r.score().correct(d));
                total.put(Integer.toString(d), r.score().total(d));
            });
            m.put("accuracy", acc);
            m.put("correct", correct);
            m.put("total", total);
            m.put("firstLoss", round(r.firstLoss(), 4));
            m.put("finalLoss", round(r.finalLoss(), 4));
            m.put("epochs", round(r.examplesSeen(), 2));
            m.put("trainSeconds", round(r.trainSeconds(), 1));
            m.put("evalSeconds", round(r.evalSeconds(), 1));
            m.put("examplePieces", r.examplePieces());
            m.put("exampleAnswer", r.exampleAnswer());
            m.put("exampleCorrect", r.exampleCorrect());
            runs.add(m);
        }
        root.put("runs", runs);
        return root;
    }

    private static double round(double v, int places) {
        if (Double.isNaN(v)) return v;
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    /** Written to a temporary file and moved into place, so the page never reads half a file. */
    private static void write(Path outDir, Map<String, Object> json) throws IOException {
        Files.createDirectories(outDir);
        Path tmp = outDir.resolve(NAME + ".json.tmp"), out = outDir.resolve(NAME + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), json);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
