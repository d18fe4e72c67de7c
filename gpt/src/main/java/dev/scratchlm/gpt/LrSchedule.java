package dev.scratchlm.gpt;

/**
 * Learning rate: linear warm-up to {@code maxLr} over {@code warmupSteps}, then cosine decay to
 * {@code minLr} at {@code decaySteps}, constant after (nanoGPT's get_lr).
 */
public record LrSchedule(float maxLr, float minLr, int warmupSteps, int decaySteps) {

    public LrSchedule {
        if (!(maxLr > 0f) || minLr < 0f || minLr > maxLr) {
            throw new IllegalArgumentException(
                    "need 0 <= minLr <= maxLr and maxLr > 0, got maxLr=" + maxLr + " minLr=" + minLr);
        }
        if (warmupSteps < 0 || decaySteps < warmupSteps) {
            throw new IllegalArgumentException(
                    "need 0 <= warmupSteps <= decaySteps, got " + warmupSteps + ", " + decaySteps);
        }
    }

    /** A flat rate (e.g. for fine-tuning or tests). */
    public static LrSchedule constant(float lr) {
        return new LrSchedule(lr, lr, 0, 0);
    }

    /** Rate for optimizer step {@code step} (0-based). */
    public float lr(long step) {
        if (step < warmupSteps) return maxLr * (step + 1) / (warmupSteps + 1);
        if (step >= decaySteps) return minLr;
        double ratio = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
        return (float) (minLr + coeff * (maxLr - minLr));
    }
}
