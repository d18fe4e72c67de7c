package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.StepStats;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import dev.scratchlm.trainer.JobRepository.Metric;
import dev.scratchlm.trainer.JobRepository.Progress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * One pre-training job from its current state to the end: build (or resume) the trainer, step, evaluate,
 * checkpoint, report. Everything a resumed run needs to continue the same loss trajectory is in the checkpoint
 * (weights, AdamW moments and step, dropout RNG, the data sampler's RNG) or in the job row (the plan and the data
 * snapshot), so the steps after a crash repeat exactly what the lost steps had done.
 */
final class PretrainRun {
    private static final Logger LOG = Logger.getLogger(PretrainRun.class);
    /** Every evaluation draws the same validation windows, so successive val losses compare like with like. */
    private static final long VAL_SEED_SALT = 0x7A11DA7EL;
    /** Manifests stay far below Kafka's 1 MB record limit: past this many shards the lineage lists only totals. */
    private static final int MAX_LISTED_SHARDS = 2000;

    private static final int RECENT = 20;

    /** Thrown to unwind a job when its runner was abandoned (a simulated crash). */
    static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("runner abandoned", null, false, false);
        }
    }

    private final JobRunner runner;
    private final JobRow job;
    private final JobPlan plan;
    private final List<Metric> pending = new ArrayList<>();
    private final float[] recentLoss = new float[RECENT];
    private final double[] recentMillis = new double[RECENT];
    private int recentCount;
    private Float lastVal;
    private String previousCheckpointId;
    private long lastCheckpointStep = -1;
    private Map<String, Object> lineage;
    private long runStartNanos;
    private long stepsAtRunStart;
    private long lastFlushNanos, lastEventNanos;
    /** An sft job's data and evaluation (null for pretrain). */
    private SftRun sft;

    private final long[] recentTokens = new long[RECENT];

    PretrainRun(JobRunner runner, JobRow job) {
        this.runner = runner;
        this.job = job;
        this.plan = job.plan();
    }

    void run() throws IOException {
        GptRuntime.configureThreads(runner.settings.threads());
        if (plan.sft() != null) {
            sft = SftRun.open(runner, job);
            if (!runner.jobs.start(job.id(), sft.trainTokens(), sft.heldoutTokens())) {
                LOG.infof("job %s was stopped before it started", job.id());
                return;
            }
            lineage = sft.lineage();
            train(null);
            return;
        }
        String tok = plan.tokenizerId();
        long trainTokens, valTokens;
        if (job.trainTokens() != null) {
            trainTokens = job.trainTokens();
            valTokens = job.valTokens() == null ? 0 : job.valTokens();
        } else {
            ShardStore.Stats s = runner.store.stats(tok);
            if (s == null) throw new IllegalStateException("no shards for tokenizer " + tok + " in the store");
            trainTokens = s.trainTokens();
            valTokens = s.valTokens();
        }
        if (!runner.jobs.start(job.id(), trainTokens, valTokens)) {
            LOG.infof("job %s was stopped before it started", job.id());
            return;
        }
        int t = plan.model().blockSize();
        if (!StoreBatchSource.fits(trainTokens, t)) {
            throw new IllegalStateException(
                    "the training split holds " + trainTokens + " tokens, fewer than one window of " + (t + 1));
        }
        TokenView trainView = runner.store.view(tok, TokenShard.TRAIN, trainTokens);
        TokenView valView =
                StoreBatchSource.fits(valTokens, t) ? runner.store.view(tok, TokenShard.VAL, valTokens) : null;
        lineage = lineage(trainTokens, valTokens);
        if (plan.cutoff() != null) {
            // Only documents dated on or before the cutoff, in both splits: the model must never see a later one.
            java.time.LocalDate cutoff = java.time.LocalDate.parse(plan.cutoff());
            DocumentSelection trainSel =
                    DocumentSelection.of(runner.store.entries(tok, TokenShard.TRAIN, trainTokens), null, cutoff);
            DocumentSelection valSel =
                    DocumentSelection.of(runner.store.entries(tok, TokenShard.VAL, valTokens), null, cutoff);
            if (!StoreBatchSource.fits(trainSel.tokens(), t)) {
                throw new IllegalStateException("cutoff " + cutoff + " selects " + trainSel.tokens()
                        + " training tokens, fewer than one window of " + (t + 1));
            }
            trainView = trainView.restrict(trainSel.starts(), trainSel.lengths());
            valView = valView == null || !StoreBatchSource.fits(valSel.tokens(), t)
                    ? null
                    : valView.restrict(valSel.starts(), valSel.lengths());
            putCutoff(lineage, cutoff, trainSel, valSel);
        }
        if (valView == null)
            LOG.warnf(
                    "job %s: the validation split holds %d tokens, too few to evaluate windows of %d",
                    job.id(), valTokens, t + 1);
        this.valView = valView;
        train(new StoreBatchSource(trainView, plan.seed()));
    }

    private TokenView valView;

    /** The training loop, for pre-training windows from the shard store ({@code train}) or sft's packed examples. */
    private void train(StoreBatchSource train) throws IOException {
        Trainer trainer;
        Long resumedFrom = null;
        Path resumeFile = runner.resumeFile(job.id());
        if (Files.exists(resumeFile)) {
            Checkpoint c;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(resumeFile), 1 << 16)) {
                c = Checkpoint.read(in);
            }
            // The gradient is summed over the workers' parts of the batch: the same trajectory needs the same count.
            if (c.metadata().get("threads") instanceof Number n && n.intValue() != runner.settings.threads()) {
                LOG.infof(
                        "job %s keeps the %d training threads it started with (this service is set to %d)",
                        job.id(), n.intValue(), runner.settings.threads());
                GptRuntime.configureThreads(n.intValue());
            }
            trainer = Trainer.resume(c);
            if (sft != null) sft.seek(c.dataPosition());
            else train.seek(c.dataPosition());
            resumedFrom = c.step();
            lastCheckpointStep = c.step();
            previousCheckpointId = (String) c.metadata().get("checkpointId");
            Double v = c.metrics().get("valLoss");
            lastVal = v == null ? null : v.floatValue();
            if (sft != null) sft.restoreMetrics(c.metrics());
            LOG.infof("job %s resumes from its checkpoint at step %d", job.id(), c.step());
        } else if (plan.parent() != null) {
            CheckpointRow parent = runner.checkpoints
                    .find(plan.parent())
                    .orElseThrow(() -> new IllegalStateException(
                            "parent checkpoint " + plan.parent() + " is no longer registered"));
            Checkpoint p;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(parent.path())), 1 << 16)) {
                p = Checkpoint.readWeightsOnly(in);
            }
            Gpt model = new Gpt(plan.model(), plan.batchSize(), plan.seed());
            model.loadWeights(p.weights());
            model.dropoutRng().setState(plan.seed() ^ 0x5DEECE66DL);
            trainer = new Trainer(model, plan.trainerConfig());
        } else {
            trainer = new Trainer(plan.model(), plan.trainerConfig(), plan.seed());
        }
        runner.jobs.truncateMetrics(job.id(), trainer.stepCount());
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("state", JobRepository.RUNNING);
        started.put("step", trainer.stepCount());
        started.put("steps", plan.steps());
        if (resumedFrom != null) started.put("resumedFrom", resumedFrom);
        runner.events.publish(job.id(), "state", started);

        runStartNanos = lastFlushNanos = System.nanoTime();
        stepsAtRunStart = trainer.stepCount();
        while (trainer.stepCount() < plan.steps()) {
            if (runner.abandoned()) throw new Abandoned();
            long tokensBefore = sft == null ? 0 : sft.tokensServed();
            if (sft != null) trainer.step(sft.train());
            else trainer.step(train);
            StepStats s = trainer.lastStepStats();
            int step = (int) s.step();
            if (!Float.isFinite(s.loss())) {
                throw new IllegalStateException("training diverged: the loss is " + s.loss() + " at step " + step
                        + " (try a lower lr or a smaller clip)");
            }
            recentLoss[step % RECENT] = s.loss();
            recentMillis[step % RECENT] = s.millis();
            recentTokens[step % RECENT] = sft == null ? plan.tokensPerStep() : sft.tokensServed() - tokensBefore;
            recentCount++;
            Float val = null;
            boolean last = step == plan.steps();
            if (sft != null && (step % plan.evalEvery() == 0 || last)) {
                val = sft.heldoutLoss(trainer);
                if (val != null) {
                    lastVal = val;
                    runner.events.publish(
                            job.id(),
                            "eval",
                            Map.of("step", step, "valLoss", val, "heldoutLoss", val, "trainLoss", recentLossMean()));
                }
            } else if (valView != null && (step % plan.evalEvery() == 0 || last)) {
                val = trainer.evaluate(new StoreBatchSource(valView, plan.seed() ^ VAL_SEED_SALT), plan.evalBatches());
                lastVal = val;
                runner.events.publish(
                        job.id(), "eval", Map.of("step", step, "valLoss", val, "trainLoss", recentLossMean()));
            }
            pending.add(new Metric(step, s.loss(), val, s.lr(), (float) s.tokensPerSecond(), elapsedSeconds()));
            boolean stop = runner.stopRequested(job.id());
            boolean shutdown = runner.shuttingDown();
            boolean checkpoint = step % plan.checkpointEvery() == 0 || last || stop || shutdown;
            if (checkpoint) writeCheckpoint(trainer, train, step);
            long now = System.nanoTime();
            if (checkpoint
                    || val != null
                    || last
                    || now - lastEventNanos >= runner.settings.eventIntervalMillis() * 1_000_000L) {
                lastEventNanos = now;
                runner.events.publish(job.id(), "step", stepEvent(trainer, s));
            }
            if (checkpoint || now - lastFlushNanos >= runner.settings.flushIntervalMillis() * 1_000_000L)
                flush(trainer, step);
            if (stop) {
                flush(trainer, step);
                end(JobRepository.STOPPED, trainer);
                return;
            }
            if (shutdown) {
                flush(trainer, step);
                LOG.infof(
                        "job %s paused at step %d for shutdown; it resumes when the service starts again",
                        job.id(), step);
                return;
            }
        }
        if (lastCheckpointStep != trainer.stepCount()) writeCheckpoint(trainer, train, (int) trainer.stepCount());
        flush(trainer, (int) trainer.stepCount());
        end(JobRepository.DONE, trainer);
        Files.deleteIfExists(
                resumeFile); // the final weights stay in checkpoints/; the optimizer state is no longer needed
    }

    private void end(String state, Trainer trainer) {
        runner.jobs.finish(job.id(), state, null);
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("state", state);
        end.put("step", trainer.stepCount());
        end.put("trainLoss", recentLossMean());
        if (lastVal != null) end.put("valLoss", lastVal);
        end.put("checkpointId", previousCheckpointId);
        runner.events.publish(job.id(), "end", end);
    }

    private Map<String, Object> stepEvent(Trainer trainer, StepStats s) {
        Map<String, Object> e = new LinkedHashMap<>();
        double tps = recentTokensPerSecond();
        e.put("step", s.step());
        e.put("steps", plan.steps());
        e.put("loss", s.loss());
        e.put("lossAvg", recentLossMean());
        e.put("lr", s.lr());
        e.put("tokensPerSecond", tps);
        e.put("mfu", mfu(trainer, tps));
        e.put("etaSeconds", eta(trainer));
        e.put("elapsedSeconds", elapsedSeconds());
        e.put("tokensSeen", tokensSeen(trainer));
        return e;
    }

    private void flush(Trainer trainer, int step) {
        double tps = recentTokensPerSecond();
        Double eta = eta(trainer);
        runner.jobs.progress(
                job.id(),
                new Progress(
                        step,
                        recentLossMean(),
                        lastVal,
                        trainer.lastLr(),
                        (float) tps,
                        (float) mfu(trainer, tps),
                        eta == null ? null : eta.floatValue(),
                        elapsedSeconds(),
                        tokensSeen(trainer)),
                pending);
        pending.clear();
        lastFlushNanos = System.nanoTime();
    }

    /**
     * Writes the checkpoint, registers it, saves the resume state, then publishes. A crash anywhere in between is
     * harmless: the resumed job reaches this step again with identical weights and rewrites the same checkpoint id.
     */
    private void writeCheckpoint(Trainer trainer, StoreBatchSource train, int step) throws IOException {
        // sft: greedy generation on the held-out MRs at every checkpoint (the job's evaluation and the card's metrics).
        if (sft != null) {
            Map<String, Object> ev = sft.evaluate(trainer, step, lastVal);
            runner.jobs.evaluation(job.id(), ev);
            runner.events.publish(job.id(), "evaluation", ev);
        }
        String id = job.id() + "-" + String.format("%06d", step);
        String tok = plan.tokenizerId();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("checkpointId", id);
        metadata.put("stage", plan.stage());
        metadata.put("jobId", job.id());
        metadata.put("threads", GptRuntime.threads());
        if (plan.parent() != null) metadata.put("parent", plan.parent());
        if (previousCheckpointId != null) metadata.put("previousCheckpointId", previousCheckpointId);
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (recentLossMean() != null) metrics.put("trainLoss", (double) recentLossMean());
        if (lastVal != null) metrics.put("valLoss", (double) lastVal);
        metrics.put("tokensSeen", (double) tokensSeen(trainer));
        metrics.put("wallSeconds", elapsedSeconds());
        if (sft != null) {
            metadata.put("instructionSets", sft.counts());
            sft.putMetrics(metrics);
        }
        Checkpoint full = trainer.checkpoint(tok, sft != null ? sft.position() : train.position(), metadata, metrics);
        Map<String, Object> lineageNow = lineage;
        if (sft != null) {
            lineageNow = new LinkedHashMap<>(lineage);
            lineageNow.put("instructionSets", sft.counts());
        }
        runner.saveCheckpoint(
                job,
                plan,
                id,
                step,
                modelMap(plan.model()),
                full,
                lineageNow,
                previousCheckpointId,
                recentLossMean(),
                lastVal);
        lastCheckpointStep = step;
        previousCheckpointId = id;
    }

    static Map<String, Object> modelMap(GptConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocabSize", c.vocabSize());
        m.put("blockSize", c.blockSize());
        m.put("nLayer", c.nLayer());
        m.put("nHead", c.nHead());
        m.put("nEmbd", c.nEmbd());
        m.put("dropout", c.dropout());
        m.put("rewardHead", c.rewardHead());
        m.put(
                "parameters",
                Gpt.parameterTable(c).stream().mapToLong(t -> t.count()).sum());
        return m;
    }

    /** What the job trains on: the shards inside its snapshot of the training split, with documents and tokens. */
    private Map<String, Object> lineage(long trainTokens, long valTokens) {
        List<ShardStore.Entry> train = runner.store.entries(plan.tokenizerId(), TokenShard.TRAIN, trainTokens);
        List<ShardStore.Entry> val = runner.store.entries(plan.tokenizerId(), TokenShard.VAL, valTokens);
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("jobId", job.id());
        l.put("tokenizerId", plan.tokenizerId());
        long documents = train.stream().mapToLong(ShardStore.Entry::documents).sum();
        // The model knows nothing published after its newest training document: its knowledge cutoff.
        train.stream()
                .map(ShardStore.Entry::latestDate)
                .filter(d -> d != null)
                .max(String::compareTo)
                .ifPresent(d -> l.put("knowledgeCutoff", d));
        l.put("documents", documents);
        l.put("tokens", trainTokens);
        l.put("trainTokens", trainTokens);
        l.put("valTokens", valTokens);
        l.put("trainDocuments", documents);
        l.put(
                "valDocuments",
                val.stream().mapToLong(ShardStore.Entry::documents).sum());
        l.put("shardCount", train.size());
        l.put("valShardCount", val.size());
        if (train.size() <= MAX_LISTED_SHARDS) {
            Map<String, Object> shards = new TreeMap<>();
            for (ShardStore.Entry e : train)
                shards.put(e.shardId(), Map.of("documents", e.documents(), "tokens", e.tokens()));
            l.put("shards", shards);
        } else {
            MessageDigest d = Chunks.sha256();
            train.stream()
                    .map(ShardStore.Entry::shardId)
                    .sorted()
                    .forEach(id -> d.update((id + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            l.put("shardIdsSha256", Chunks.hex(d.digest()));
        }
        return l;
    }

    /** What a cutoff left in: the card's knowledge cutoff becomes the newest date actually trained on. */
    static void putCutoff(
            Map<String, Object> l, java.time.LocalDate cutoff, DocumentSelection train, DocumentSelection val) {
        l.put("cutoff", cutoff.toString());
        l.put("selectedDocuments", train.documents());
        l.put("selectedTokens", train.tokens());
        l.put("selectedValDocuments", val.documents());
        l.put("selectedValTokens", val.tokens());
        l.put("undatedDocumentsExcluded", train.undated() + val.undated());
        if (train.newest() != null) {
            l.put("newestTrainedDate", train.newest().toString());
            l.put("knowledgeCutoff", train.newest().toString());
        }
        l.put("documents", train.documents());
        l.put("tokens", train.tokens());
    }

    /** Mean loss of the last few steps (null before the first step of this run). */
    private Float recentLossMean() {
        int n = Math.min(recentCount, RECENT);
        if (n == 0) return null;
        double sum = 0;
        for (int i = 0; i < RECENT; i++) sum += recentLoss[i];
        // Unfilled slots are zero, so divide by the filled count only.
        return (float) (sum / n);
    }

    /** Tokens per second over the last few steps; for sft only example tokens count, not a row's padding. */
    private double recentTokensPerSecond() {
        double ms = 0, tokens = 0;
        for (int i = 0; i < RECENT; i++) {
            ms += recentMillis[i];
            tokens += recentTokens[i];
        }
        return ms > 0 ? tokens / (ms / 1000.0) : 0;
    }

    /** Training tokens consumed: pretrain's whole windows; sft's example tokens (an estimate after a resume). */
    private long tokensSeen(Trainer trainer) {
        return sft == null ? trainer.stepCount() * plan.tokensPerStep() : sft.tokensSeen(trainer.stepCount());
    }

    private double mfu(Trainer trainer, double tokensPerSecond) {
        return tokensPerSecond * trainer.flopsPerToken() / (runner.settings.peakGflops() * 1e9);
    }

    private double elapsedSeconds() {
        return job.wallSeconds() + (System.nanoTime() - runStartNanos) / 1e9;
    }

    /** Remaining steps at the wall-clock pace of this run so far (evaluations and checkpoints included). */
    private Double eta(Trainer trainer) {
        long done = trainer.stepCount() - stepsAtRunStart;
        if (done <= 0) return null;
        double perStep = (System.nanoTime() - runStartNanos) / 1e9 / done;
        return (plan.steps() - trainer.stepCount()) * perStep;
    }
}
