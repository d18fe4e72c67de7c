package dev.scratchlm.trainer;

import dev.scratchlm.gpt.AdamW;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.LrSchedule;
import dev.scratchlm.gpt.TrainerConfig;

/**
 * A validated job with every default filled in: what the runner executes, stored as JSON in the job's row so a
 * restarted service runs exactly the same job. {@code preference}: what a reward or DPO job learns from (null otherwise).
 * {@code cutoff}: a pretrain job trains and validates only on documents dated on or before it (ISO date; null: all).
 */
public record JobPlan(
        String stage,
        String tokenizerId,
        GptConfig model,
        int steps,
        int batchSize,
        int gradAccum,
        float lr,
        float minLr,
        int warmupSteps,
        float weightDecay,
        float beta1,
        float beta2,
        float clip,
        int evalEvery,
        int evalBatches,
        int checkpointEvery,
        long seed,
        String parent,
        Sft sft,
        PreferencePlan preference,
        String cutoff) {

    /** A plan without a knowledge cutoff. */
    public JobPlan(
            String stage,
            String tokenizerId,
            GptConfig model,
            int steps,
            int batchSize,
            int gradAccum,
            float lr,
            float minLr,
            int warmupSteps,
            float weightDecay,
            float beta1,
            float beta2,
            float clip,
            int evalEvery,
            int evalBatches,
            int checkpointEvery,
            long seed,
            String parent,
            Sft sft,
            PreferencePlan preference) {
        this(
                stage,
                tokenizerId,
                model,
                steps,
                batchSize,
                gradAccum,
                lr,
                minLr,
                warmupSteps,
                weightDecay,
                beta1,
                beta2,
                clip,
                evalEvery,
                evalBatches,
                checkpointEvery,
                seed,
                parent,
                sft,
                preference,
                null);
    }

    /**
     * What an sft job trains on (null for pretrain). The examples themselves are fixed when the job first starts
     * (a snapshot on the volume), so a resumed job trains on the same rows.
     *
     * @param examples training examples counted at submission (identity turns included), for the record
     */
    public record Sft(java.util.List<String> datasets, boolean identity, Double epochs, int evalMrs, int examples) {}

    /** AdamW's epsilon, as nanoGPT (PyTorch's default). */
    public static final float ADAM_EPS = 1e-8f;

    /** Warm-up, then cosine decay from lr to minLr over the whole job (nanoGPT's get_lr). */
    public TrainerConfig trainerConfig() {
        return new TrainerConfig(
                batchSize,
                model.blockSize(),
                gradAccum,
                new LrSchedule(lr, minLr, warmupSteps, steps),
                new AdamW.Settings(beta1, beta2, ADAM_EPS, weightDecay),
                clip);
    }

    public long tokensPerStep() {
        return (long) batchSize * model.blockSize() * gradAccum;
    }
}
