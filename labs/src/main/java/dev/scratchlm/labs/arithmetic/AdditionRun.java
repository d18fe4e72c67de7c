package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.gpt.BatchDecoder;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.PackedExamples;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.labs.arithmetic.AdditionProblems.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** One model of the lab: trained on one tokenizer's view of the problems in one answer form, then tested greedily. */
final class AdditionRun {
    /** What one model measured. */
    record Result(
            NumberPolicy policy,
            boolean reversed,
            long parameters,
            float firstLoss,
            float finalLoss,
            double trainSeconds,
            double evalSeconds,
            double examplesSeen,
            AnswerScore score,
            List<String> examplePieces,
            String exampleAnswer,
            boolean exampleCorrect) {
        Map<Integer, Double> accuracy() {
            return score.byDigits();
        }
    }

    private AdditionRun() {}

    static Result run(
            LabConfig cfg,
            NumberPolicy policy,
            AdditionTokens tokens,
            AdditionProblems.Splits splits,
            Consumer<String> progress) {
        String name = policy.id() + (tokens.reversed() ? "/reversed" : "/normal");
        List<int[]> ids = new ArrayList<>(splits.train().size());
        List<boolean[]> masks = new ArrayList<>(splits.train().size());
        for (Problem p : splits.train()) {
            ids.add(tokens.example(p));
            masks.add(tokens.mask(p));
        }
        PackedExamples train = new PackedExamples(ids, masks, cfg.seqLen(), tokens.endToken(), cfg.seed(), true);
        int threads = cfg.threadsPerRun();
        Gpt model = new Gpt(cfg.model(), cfg.batchSize(), cfg.seed(), threads);
        Trainer trainer = new Trainer(model, cfg.trainer());
        long t0 = System.nanoTime();
        float first = Float.NaN, loss = Float.NaN;
        double smooth = Double.NaN;
        int every = Math.max(1, cfg.steps() / 5);
        for (int s = 1; s <= cfg.steps(); s++) {
            loss = trainer.step(train);
            if (s == 1) first = loss;
            smooth = Double.isNaN(smooth) ? loss : 0.95 * smooth + 0.05 * loss;
            if (s % every == 0 || s == cfg.steps()) {
                progress.accept(String.format(
                        "%-18s step %d/%d loss %.3f (%.0f tokens/s)",
                        name, s, cfg.steps(), smooth, trainer.lastTokensPerSecond()));
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        double epochs = train.examplesServed() / (double) train.examples();

        long t1 = System.nanoTime();
        int maxAnswer = 0, maxPrompt = 0;
        // The running example is answered even when its digit count is outside this run (then it is not scored).
        List<Problem> asked = new ArrayList<>(splits.test());
        if (!asked.contains(AdditionProblems.EXAMPLE)) asked.add(AdditionProblems.EXAMPLE);
        List<int[]> prompts = new ArrayList<>(asked.size());
        for (Problem p : asked) {
            int[] q = tokens.prompt(p);
            prompts.add(q);
            maxPrompt = Math.max(maxPrompt, q.length);
            maxAnswer = Math.max(maxAnswer, tokens.answer(p).length);
        }
        // Room for a few tokens more than the longest right answer, so a wrong longer one is seen as wrong.
        int maxTokens = Math.min(maxAnswer + 2, cfg.seqLen() - maxPrompt);
        int end = tokens.endToken();
        List<int[]> answers = new BatchDecoder(model, 32, threads, t -> t == end).answer(prompts, maxTokens);
        AnswerScore score = new AnswerScore(cfg.maxDigits());
        String exampleAnswer = null;
        boolean exampleOk = false;
        for (int i = 0; i < asked.size(); i++) {
            Problem p = asked.get(i);
            int[] a = answers.get(i);
            String text = tokens.decode(a, a.length);
            boolean ok = i < splits.test().size()
                    ? score.add(p.digits(), p.answer(tokens.reversed()), text)
                    : AnswerScore.matches(p.answer(tokens.reversed()), text);
            if (p.equals(AdditionProblems.EXAMPLE)) {
                exampleAnswer = text.strip();
                exampleOk = ok;
            }
        }
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        progress.accept(String.format(
                "%-18s trained in %.1f s (%.1f epochs), tested in %.1f s: accuracy by digits %s",
                name, trainSeconds, epochs, evalSeconds, format(score.byDigits())));
        return new Result(
                policy,
                tokens.reversed(),
                model.parameterCount(),
                first,
                (float) smooth,
                trainSeconds,
                evalSeconds,
                epochs,
                score,
                tokens.pieces(AdditionProblems.EXAMPLE),
                exampleAnswer,
                exampleOk);
    }

    static String format(Map<Integer, Double> acc) {
        StringBuilder b = new StringBuilder();
        acc.forEach((d, a) ->
                b.append(b.length() == 0 ? "" : " ").append(d).append(':').append(String.format("%.2f", a)));
        return b.toString();
    }
}
