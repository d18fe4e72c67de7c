package dev.scratchlm.gpt;

import java.util.Map;

/**
 * A training run: owns the model, AdamW and the batch arrays. Each {@link #step(BatchSource)} does
 * {@code gradAccumSteps} forward/backward passes, clips the global gradient norm, and takes one AdamW
 * step at the scheduled learning rate. Deterministic: the same seed, config, data and thread settings
 * give a bit-identical loss trajectory, and {@link #checkpoint} / {@link #resume} continue it exactly.
 *
 * <p>Nothing is allocated per step: batches go into arrays allocated here, the model into its own
 * pre-allocated buffers.
 */
public final class Trainer {
    private final Gpt model;
    private final AdamW optimizer;
    private final TrainerConfig cfg;
    private final int[] inputs, targets;
    private final float[] mask;
    private final int[] positions;
    private float lastLr;
    private double lastGradNorm;
    private double lastTokensPerSecond, lastMillis;
    private float lastLoss;

    /** A fresh model initialized from {@code seed}. */
    public Trainer(GptConfig model, TrainerConfig config, long seed) {
        this(new Gpt(model, config.batchSize(), seed), config);
        this.model.dropoutRng().setState(seed ^ 0x5DEECE66DL);
    }

    /** Trains an existing model (its maxBatch must cover the batch size). */
    public Trainer(Gpt model, TrainerConfig config) {
        if (config.batchSize() > model.maxBatch()
                || config.seqLen() > model.config().blockSize()) {
            throw new IllegalArgumentException(
                    "batch " + config.batchSize() + "x" + config.seqLen() + " does not fit the model's "
                            + model.maxBatch() + "x" + model.config().blockSize());
        }
        this.model = model;
        this.cfg = config;
        this.optimizer = new AdamW(model, config.adamW());
        int n = config.batchSize() * config.seqLen();
        this.inputs = new int[n];
        this.targets = new int[n];
        this.mask = new float[n];
        this.positions = new int[n];
    }

    public Gpt model() {
        return model;
    }

    public TrainerConfig config() {
        return cfg;
    }

    /** Optimizer steps completed. */
    public long stepCount() {
        return optimizer.step();
    }

    /** Learning rate the next step will use. */
    public float nextLr() {
        return cfg.schedule().lr(optimizer.step());
    }

    public float lastLr() {
        return lastLr;
    }

    AdamW optimizer() {
        return optimizer;
    }

    public double lastGradNorm() {
        return lastGradNorm;
    }

    public double lastTokensPerSecond() {
        return lastTokensPerSecond;
    }

    /** Training FLOPs per token (nanoGPT's estimate), for MFU. */
    public double flopsPerToken() {
        return model.flopsPerToken();
    }

    /** Tokens consumed by one optimizer step. */
    public long tokensPerStep() {
        return (long) cfg.batchSize() * cfg.seqLen() * cfg.gradAccumSteps();
    }

    /**
     * One optimizer step over {@code gradAccumSteps} micro-batches from {@code train}; returns the mean
     * training loss. Allocates nothing; {@link #lastStepStats()} has the step's other numbers.
     */
    public float step(BatchSource train) {
        return step(train, null);
    }

    /** As {@link #step(BatchSource)} over packed rows of whole examples (fine-tuning). */
    public float step(PackedBatchSource train) {
        return step(null, train);
    }

    private float step(BatchSource train, PackedBatchSource packed) {
        long t0 = System.nanoTime();
        int b = cfg.batchSize(), t = cfg.seqLen(), accum = cfg.gradAccumSteps();
        model.setTraining(true);
        model.zeroGrad();
        double lossSum = 0;
        for (int micro = 0; micro < accum; micro++) {
            if (packed != null) {
                packed.next(inputs, targets, mask, positions, b, t);
                lossSum += model.forwardPacked(inputs, targets, mask, positions, b, t);
            } else {
                boolean masked = train.next(inputs, targets, mask, b, t);
                lossSum += model.forward(inputs, targets, masked ? mask : null, b, t);
            }
            model.backward(1f / accum);
        }
        double norm = model.gradNorm();
        float clipScale = cfg.gradClip() > 0 && norm > cfg.gradClip() ? (float) (cfg.gradClip() / (norm + 1e-6)) : 1f;
        float lr = cfg.schedule().lr(optimizer.step());
        optimizer.update(lr, clipScale);
        double ms = (System.nanoTime() - t0) / 1e6;
        lastLr = lr;
        lastGradNorm = norm;
        lastTokensPerSecond = tokensPerStep() / (ms / 1000.0);
        lastMillis = ms;
        lastLoss = (float) (lossSum / accum);
        return lastLoss;
    }

    /** Loss, learning rate, gradient norm, time and throughput of the last {@link #step}. */
    public StepStats lastStepStats() {
        return new StepStats(optimizer.step(), lastLoss, lastLr, lastGradNorm, lastMillis, lastTokensPerSecond);
    }

    /** Mean loss over {@code batches} batches of {@code val}, without dropout and without touching gradients. */
    public float evaluate(BatchSource val, int batches) {
        boolean was = model.isTraining();
        model.setTraining(false);
        double sum = 0;
        int b = cfg.batchSize(), t = cfg.seqLen();
        for (int i = 0; i < batches; i++) {
            boolean masked = val.next(inputs, targets, mask, b, t);
            sum += model.forward(inputs, targets, masked ? mask : null, b, t);
        }
        model.setTraining(was);
        return (float) (sum / batches);
    }

    /**
     * Mean loss per counted token over {@code batches} packed batches (a batch holding fewer answer tokens weighs
     * less, an all-padding batch nothing), without dropout and without touching gradients.
     */
    public float evaluate(PackedBatchSource val, int batches) {
        boolean was = model.isTraining();
        model.setTraining(false);
        double sum = 0, count = 0;
        int b = cfg.batchSize(), t = cfg.seqLen();
        for (int i = 0; i < batches; i++) {
            val.next(inputs, targets, mask, positions, b, t);
            double n = 0;
            for (int j = 0; j < b * t; j++) n += mask[j];
            sum += model.forwardPacked(inputs, targets, mask, positions, b, t) * n;
            count += n;
        }
        model.setTraining(was);
        return count > 0 ? (float) (sum / count) : Float.NaN;
    }

    /**
     * Everything needed to resume: weights, AdamW state and step, the dropout RNG state, plus what the
     * caller tracks ({@code dataPosition}, tokenizer id, lineage {@code metadata}, {@code metrics}).
     */
    public Checkpoint checkpoint(
            String tokenizerId, long dataPosition, Map<String, Object> metadata, Map<String, Double> metrics) {
        return new Checkpoint(
                model.config(),
                cfg,
                optimizer.step(),
                model.dropoutRng().state(),
                dataPosition,
                tokenizerId,
                metadata,
                metrics,
                model.copyWeights(),
                optimizer.copyM(),
                optimizer.copyV());
    }

    /**
     * A trainer that continues {@code checkpoint} exactly (it must hold optimizer state). The data
     * position is the caller's to restore: {@link Checkpoint#dataPosition()}.
     */
    public static Trainer resume(Checkpoint checkpoint) {
        if (!checkpoint.hasOptimizerState() || checkpoint.trainerConfig() == null) {
            throw new IllegalArgumentException(
                    "checkpoint has no optimizer state or trainer config: cannot resume training");
        }
        TrainerConfig tc = checkpoint.trainerConfig();
        Gpt model = new Gpt(checkpoint.config(), tc.batchSize(), 0);
        model.loadWeights(checkpoint.weights());
        model.dropoutRng().setState(checkpoint.rngState());
        Trainer trainer = new Trainer(model, tc);
        trainer.optimizer.restore(checkpoint.adamM(), checkpoint.adamV(), checkpoint.step());
        return trainer;
    }
}
