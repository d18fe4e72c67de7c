package dev.scratchlm.gpt;

/**
 * How to train: batch shape, gradient accumulation, optimizer and schedule. JSON-friendly; a
 * checkpoint stores it so a resumed run continues with the same settings.
 *
 * @param batchSize      sequences per micro-batch (B)
 * @param seqLen         tokens per sequence (T), at most the model's blockSize
 * @param gradAccumSteps micro-batches per optimizer step
 * @param schedule       learning-rate schedule over optimizer steps
 * @param adamW          optimizer hyper-parameters
 * @param gradClip       global gradient-norm clip (0 disables)
 */
public record TrainerConfig(
        int batchSize, int seqLen, int gradAccumSteps, LrSchedule schedule, AdamW.Settings adamW, float gradClip) {
    public TrainerConfig {
        if (batchSize <= 0 || seqLen <= 0 || gradAccumSteps <= 0) {
            throw new IllegalArgumentException("batchSize, seqLen and gradAccumSteps must be > 0, got " + batchSize
                    + ", " + seqLen + ", " + gradAccumSteps);
        }
        if (schedule == null || adamW == null) throw new IllegalArgumentException("schedule and adamW are required");
        if (gradClip < 0) throw new IllegalArgumentException("gradClip must be >= 0, got " + gradClip);
    }

    /** The nanoGPT shakespeare_char CPU recipe: batch 12, AdamW(0.9, 0.99, wd 0.1), lr 1e-3 to 1e-4. */
    public static TrainerConfig babyShakespeare(int seqLen, int maxSteps) {
        return new TrainerConfig(
                12,
                seqLen,
                1,
                new LrSchedule(1e-3f, 1e-4f, 100, maxSteps),
                new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0.1f),
                1.0f);
    }
}
