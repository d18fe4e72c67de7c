package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.PreferenceTrainer;
import dev.scratchlm.gpt.TrainerConfig;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import dev.scratchlm.trainer.JobRepository.Metric;
import dev.scratchlm.trainer.JobRepository.Progress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One reward-model or DPO job: read its rankings snapshot, build (or resume) the {@link PreferenceTrainer} from the
 * parent (for DPO, cache the reference's log-probabilities once), step, evaluate on the held-out tasks, checkpoint,
 * report. The data order is a function of (seed, step) and the checkpoint holds weights, AdamW state and the dropout
 * generator, so a stopped job resumes on the same trajectory.
 */
final class PreferenceRun {
    private static final Logger LOG = Logger.getLogger(PreferenceRun.class);

    private final JobRunner runner;
    private final JobRow job;
    private final JobPlan plan;
    private final PreferencePlan pref;
    private final boolean reward;
    private final List<Metric> pending = new ArrayList<>();
    private PreferenceTrainer.Stats lastTrain, lastHeldOut;
    private String previousCheckpointId;
    private long lastCheckpointStep = -1;
    private long runStartNanos, lastFlushNanos, lastEventNanos;
    private Map<String, Object> lineage;

    PreferenceRun(JobRunner runner, JobRow job) {
        this.runner = runner;
        this.job = job;
        this.plan = job.plan();
        this.pref = plan.preference();
        this.reward = JobValidator.REWARD.equals(plan.stage());
    }

    void run() throws IOException {
        GptRuntime.configureThreads(runner.settings.threads());
        String definition = runner.tokenizerDefinition(plan.tokenizerId())
                .orElseThrow(
                        () -> new IllegalStateException("tokenizer " + plan.tokenizerId() + " has no definition here"));
        ChatTemplate template = new ChatTemplate(ScratchFormat.fromText(definition));
        RankingReader.Result read = runner.rankings.read(pref.rankingOffsets());
        List<dev.scratchlm.contracts.Ranking> selected = read.rankings().stream()
                .filter(r -> PreferenceData.selected(r, pref.campaigns(), pref.sources()))
                .toList();
        PreferenceData.Split data =
                PreferenceData.build(selected, template, plan.model().blockSize(), reward, pref.heldOut());
        if (data.train().isEmpty())
            throw new IllegalStateException("no training pairs in the rankings snapshot " + pref.rankingOffsets());
        if (!runner.jobs.start(job.id(), data.answerTokens(data.train()), data.answerTokens(data.heldOut()))) {
            LOG.infof("job %s was stopped before it started", job.id());
            return;
        }
        lineage = new LinkedHashMap<>();
        lineage.put("jobId", job.id());
        lineage.put("tokenizerId", plan.tokenizerId());
        lineage.put("parent", plan.parent());
        if (!reward) lineage.put("reference", pref.reference());
        lineage.put("campaigns", pref.campaigns() == null ? "all" : pref.campaigns());
        lineage.put("sources", pref.sources());
        lineage.put("rankingOffsets", pref.rankingOffsets());
        lineage.putAll(data.counts());

        PreferenceTrainer.Settings settings = reward
                ? PreferenceTrainer.Settings.reward()
                : PreferenceTrainer.Settings.dpo(pref.beta(), pref.sftWeight());
        int maxBatch = maxBatch(plan.batchSize(), data.maxCandidates());
        PreferenceTrainer trainer;
        Long resumedFrom = null;
        Path resumeFile = runner.resumeFile(job.id());
        if (Files.exists(resumeFile)) {
            Checkpoint c = read(resumeFile, false);
            if (c.metadata().get("threads") instanceof Number n && n.intValue() != runner.settings.threads()) {
                GptRuntime.configureThreads(n.intValue()); // the same trajectory needs the same split of each batch
            }
            trainer = PreferenceTrainer.resume(c, settings);
            resumedFrom = c.step();
            lastCheckpointStep = c.step();
            previousCheckpointId = (String) c.metadata().get("checkpointId");
            LOG.infof("job %s resumes from its checkpoint at step %d", job.id(), c.step());
        } else {
            Checkpoint parent = read(Path.of(checkpointRow(plan.parent()).path()), true);
            Gpt model;
            if (reward) {
                model = PreferenceTrainer.rewardModel(parent.config(), parent.weights(), maxBatch, plan.seed());
            } else {
                model = new Gpt(parent.config(), maxBatch, plan.seed());
                model.loadWeights(parent.weights());
            }
            model.dropoutRng().setState(plan.seed() ^ 0x5DEECE66DL);
            // The trainer config's batch is the sequences per forward pass, so a resumed trainer (built from the
            // checkpoint's config) runs the same micro-batches, with the same rounding, as the uninterrupted one.
            TrainerConfig tc = plan.trainerConfig();
            trainer = new PreferenceTrainer(
                    model,
                    new TrainerConfig(maxBatch, tc.seqLen(), 1, tc.schedule(), tc.adamW(), tc.gradClip()),
                    settings);
        }
        if (!reward) {
            // The reference's log-probabilities, once per candidate, for the whole job (a resumed job computes the
            // same).
            Checkpoint ref = read(Path.of(checkpointRow(pref.reference()).path()), true);
            Gpt refModel = ref.toModel(maxBatch);
            trainer.cacheReference(refModel, data.train());
            trainer.cacheReference(refModel, data.heldOut());
        }
        runner.jobs.truncateMetrics(job.id(), trainer.stepCount());
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("state", JobRepository.RUNNING);
        started.put("step", trainer.stepCount());
        started.put("steps", plan.steps());
        started.put("trainPairs", data.trainPairs());
        started.put("heldOutPairs", data.heldOutPairs());
        if (resumedFrom != null) started.put("resumedFrom", resumedFrom);
        runner.events.publish(job.id(), "state", started);

        runStartNanos = lastFlushNanos = System.nanoTime();
        while (trainer.stepCount() < plan.steps()) {
            if (runner.abandoned()) throw new PretrainRun.Abandoned();
            long stepIndex = trainer.stepCount();
            PreferenceTrainer.Stats s =
                    trainer.step(PreferenceData.batch(data.train(), plan.batchSize(), stepIndex, plan.seed()));
            int step = (int) trainer.stepCount();
            if (!Double.isFinite(s.loss())) {
                throw new IllegalStateException(
                        "training diverged: the loss is " + s.loss() + " at step " + step + " (try a lower lr)");
            }
            lastTrain = s;
            boolean last = step == plan.steps();
            Float held = null;
            if (!data.heldOut().isEmpty() && (step % plan.evalEvery() == 0 || last)) {
                lastHeldOut = trainer.evaluate(data.heldOut());
                held = (float) lastHeldOut.loss();
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("step", step);
                e.put("valLoss", lastHeldOut.loss());
                e.put("trainLoss", s.loss());
                e.put("heldOut", lastHeldOut.asMap());
                runner.events.publish(job.id(), "eval", e);
            }
            pending.add(new Metric(
                    step,
                    (float) s.loss(),
                    held,
                    s.lr(),
                    (float) (s.pairs() / (s.millis() / 1000.0)),
                    elapsedSeconds()));
            boolean stop = runner.stopRequested(job.id());
            boolean shutdown = runner.shuttingDown();
            boolean checkpoint = step % plan.checkpointEvery() == 0 || last || stop || shutdown;
            if (checkpoint) writeCheckpoint(trainer, step);
            long now = System.nanoTime();
            if (checkpoint
                    || held != null
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
                return;
            }
        }
        if (lastCheckpointStep != trainer.stepCount()) writeCheckpoint(trainer, (int) trainer.stepCount());
        flush(trainer, (int) trainer.stepCount());
        end(JobRepository.DONE, trainer);
        Files.deleteIfExists(resumeFile);
    }

    /** Sequences per forward pass: a whole ranking always fits; a few rankings share one pass when they can. */
    static int maxBatch(int rankingsPerStep, int maxCandidates) {
        return Math.max(maxCandidates, Math.min(rankingsPerStep * maxCandidates, 16));
    }

    private CheckpointRow checkpointRow(String id) {
        return runner.checkpoints
                .find(id)
                .orElseThrow(() -> new IllegalStateException("checkpoint " + id + " is no longer registered"));
    }

    private static Checkpoint read(Path file, boolean weightsOnly) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return weightsOnly ? Checkpoint.readWeightsOnly(in) : Checkpoint.read(in);
        }
    }

    private Map<String, Object> stepEvent(PreferenceTrainer trainer, PreferenceTrainer.Stats s) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("step", trainer.stepCount());
        e.put("steps", plan.steps());
        e.put("loss", s.loss());
        e.put("lossAvg", s.loss());
        e.put("lr", s.lr());
        e.put("gradNorm", s.gradNorm());
        e.put("pairsPerSecond", s.pairs() / (s.millis() / 1000.0));
        e.put("elapsedSeconds", elapsedSeconds());
        e.put("train", s.asMap());
        if (lastHeldOut != null) e.put("heldOut", lastHeldOut.asMap());
        return e;
    }

    private void flush(PreferenceTrainer trainer, int step) {
        Float held = lastHeldOut == null ? null : (float) lastHeldOut.loss();
        Float loss = lastTrain == null ? null : (float) lastTrain.loss();
        runner.jobs.progress(
                job.id(),
                new Progress(
                        step,
                        loss,
                        held,
                        lastTrain == null ? null : lastTrain.lr(),
                        null,
                        null,
                        null,
                        elapsedSeconds(),
                        0),
                pending);
        pending.clear();
        lastFlushNanos = System.nanoTime();
    }

    private void end(String state, PreferenceTrainer trainer) {
        runner.jobs.finish(job.id(), state, null);
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("state", state);
        end.put("step", trainer.stepCount());
        if (lastTrain != null) end.put("trainLoss", lastTrain.loss());
        if (lastHeldOut != null) {
            end.put("valLoss", lastHeldOut.loss());
            end.put("heldOut", lastHeldOut.asMap());
        }
        end.put("checkpointId", previousCheckpointId);
        runner.events.publish(job.id(), "end", end);
    }

    /** As pre-training's checkpoints: the weights published, the full state kept on the volume for a resume. */
    private void writeCheckpoint(PreferenceTrainer trainer, int step) throws IOException {
        String id = job.id() + "-" + String.format("%06d", step);
        String tok = plan.tokenizerId();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("checkpointId", id);
        metadata.put("stage", plan.stage());
        metadata.put("jobId", job.id());
        metadata.put("threads", GptRuntime.threads());
        metadata.put("parent", plan.parent());
        if (!reward) metadata.put("reference", pref.reference());
        metadata.put("rewardModel", reward);
        metadata.put("campaigns", pref.campaigns() == null ? "all" : pref.campaigns());
        metadata.put("sources", pref.sources());
        metadata.put("counts", lineage);
        if (previousCheckpointId != null) metadata.put("previousCheckpointId", previousCheckpointId);
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (lastTrain != null) lastTrain.asMap().forEach((k, v) -> metrics.put("train." + k, v));
        if (lastTrain != null) metrics.put("trainLoss", lastTrain.loss());
        if (lastHeldOut != null) {
            lastHeldOut.asMap().forEach((k, v) -> metrics.put("heldOut." + k, v));
            metrics.put("valLoss", lastHeldOut.loss());
            metrics.put("heldOutAccuracy", lastHeldOut.accuracy());
        }
        metrics.put("wallSeconds", elapsedSeconds());
        Checkpoint full = trainer.checkpoint(tok, trainer.stepCount(), metadata, metrics);
        Float trainLoss = lastTrain == null ? null : (float) lastTrain.loss();
        Float heldLoss = lastHeldOut == null ? null : (float) lastHeldOut.loss();
        runner.saveCheckpoint(
                job,
                plan,
                id,
                step,
                PretrainRun.modelMap(full.config()),
                full,
                lineage,
                previousCheckpointId,
                trainLoss,
                heldLoss);
        lastCheckpointStep = step;
        previousCheckpointId = id;
    }

    private double elapsedSeconds() {
        return job.wallSeconds() + (System.nanoTime() - runStartNanos) / 1e9;
    }
}
