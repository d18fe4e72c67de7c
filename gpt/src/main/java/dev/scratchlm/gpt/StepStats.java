package dev.scratchlm.gpt;

/**
 * What one optimizer step did.
 *
 * @param step            optimizer steps completed, this one included
 * @param loss            mean training loss over the step's micro-batches
 * @param lr              learning rate used
 * @param gradNorm        global gradient norm before clipping
 * @param millis          wall time of the step
 * @param tokensPerSecond tokens processed per second in this step
 */
public record StepStats(long step, float loss, float lr, double gradNorm, double millis, double tokensPerSecond) {}
