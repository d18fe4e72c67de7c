package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.gpt.AdamW;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.LrSchedule;
import dev.scratchlm.gpt.TrainerConfig;

/**
 * Everything one run of the arithmetic lab depends on. Every model gets the same {@link #model()} and the same
 * token budget: {@code steps x batchSize x seqLen} positions, whatever the tokenizer makes of the problems.
 *
 * @param parallel trainings run at once, each on {@code threads / parallel} threads
 */
public record LabConfig(
        long seed,
        int maxDigits,
        int trainPerDigit,
        int testPerDigit,
        int vocabSize,
        int nLayer,
        int nHead,
        int nEmbd,
        int seqLen,
        int batchSize,
        int steps,
        float lr,
        int parallel,
        int threads) {
    public LabConfig {
        if (maxDigits < 1 || maxDigits > 6)
            throw new IllegalArgumentException("maxDigits must be 1..6, got " + maxDigits);
        if (steps < 1) throw new IllegalArgumentException("steps must be > 0, got " + steps);
        if (parallel < 1 || threads < parallel) {
            throw new IllegalArgumentException("need 1 <= parallel <= threads, got " + parallel + ", " + threads);
        }
    }

    /** The full lab: 1-6 digits, sized to finish in about ten minutes on two cores. */
    public static LabConfig full(int threads) {
        return new LabConfig(15, 6, 20_000, 100, 512, 2, 4, 128, 64, 16, 2000, 2e-3f, Math.min(2, threads), threads);
    }

    public GptConfig model() {
        return new GptConfig(vocabSize, seqLen, nLayer, nHead, nEmbd, 0f);
    }

    public TrainerConfig trainer() {
        return new TrainerConfig(
                batchSize,
                seqLen,
                1,
                new LrSchedule(lr, lr / 10, Math.min(100, steps / 10), steps),
                new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0.1f),
                1.0f);
    }

    public long tokenBudget() {
        return (long) steps * batchSize * seqLen;
    }

    public int threadsPerRun() {
        return threads / parallel;
    }

    public LabConfig withSteps(int s) {
        return new LabConfig(
                seed,
                maxDigits,
                trainPerDigit,
                testPerDigit,
                vocabSize,
                nLayer,
                nHead,
                nEmbd,
                seqLen,
                batchSize,
                s,
                lr,
                parallel,
                threads);
    }

    public LabConfig withParallel(int p) {
        return new LabConfig(
                seed,
                maxDigits,
                trainPerDigit,
                testPerDigit,
                vocabSize,
                nLayer,
                nHead,
                nEmbd,
                seqLen,
                batchSize,
                steps,
                lr,
                p,
                threads);
    }
}
