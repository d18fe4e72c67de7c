package dev.scratchlm.trainer;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Runs training jobs one at a time on its own thread: a job that was running when the process stopped resumes
 * first (from its last checkpoint on the volume), then queued jobs in the order they came.
 *
 * <p>A plain class, so a test can build two against the same state directory and database, abandon the first
 * mid-job as a crash would, and watch the second resume. {@link #close()} is the graceful stop (the running job
 * checkpoints and stays "running", to resume on the next start); {@link #abandon()} writes nothing more.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    /**
     * @param stateDir            the service's volume: checkpoints/ and jobs/ live under it
     * @param peakGflops          the machine's float32 peak, for MFU
     * @param threads             data-parallel workers a job's model splits each batch over (results are
     *                            bit-identical only for the same count, so a resumed job must use the same)
     * @param eventIntervalMillis at most one step event per this many milliseconds (0: every step)
     * @param flushIntervalMillis progress and per-step metrics reach PostgreSQL this often
     */
    public record Settings(
            Path stateDir, double peakGflops, int threads, long eventIntervalMillis, long flushIntervalMillis) {}

    final JobRepository jobs;
    final CheckpointRepository checkpoints;
    final ShardStore store;
    final CheckpointPublisher publisher;
    final JobEvents events;
    final Settings settings;
    /** Instruction examples and tokenizer definitions, for sft jobs (null: this runner runs pretrain jobs only). */
    final JobValidator.SftSource sft;
    /** Reward and dpo jobs: the rankings topic and the tokenizers' definitions (null: those stages are off). */
    RankingReader rankings;

    private java.util.function.Function<String, Optional<String>> definitions = id -> Optional.empty();
    private final Set<String> stopRequests = ConcurrentHashMap.newKeySet();
    private final Object work = new Object();
    private volatile boolean shutdown;
    private volatile boolean abandoned;
    private volatile String currentJob;
    private Thread thread;

    public JobRunner(
            JobRepository jobs,
            CheckpointRepository checkpoints,
            ShardStore store,
            CheckpointPublisher publisher,
            JobEvents events,
            Settings settings) {
        this(jobs, checkpoints, store, publisher, events, settings, null);
    }

    public JobRunner(
            JobRepository jobs,
            CheckpointRepository checkpoints,
            ShardStore store,
            CheckpointPublisher publisher,
            JobEvents events,
            Settings settings,
            JobValidator.SftSource sft) {
        this.sft = sft;
        this.jobs = jobs;
        this.checkpoints = checkpoints;
        this.store = store;
        this.publisher = publisher;
        this.events = events;
        this.settings = settings;
    }

    /** Enables reward and dpo jobs. */
    JobRunner withPreferences(
            RankingReader rankings, java.util.function.Function<String, Optional<String>> definitions) {
        this.rankings = rankings;
        this.definitions = definitions;
        return this;
    }

    Optional<String> tokenizerDefinition(String id) {
        return definitions.apply(id);
    }

    public synchronized void start() {
        if (thread != null) throw new IllegalStateException("already started");
        thread = new Thread(this::loop, "trainer-job-runner");
        thread.setDaemon(true);
        thread.start();
    }

    /** A job was queued: look now rather than at the next poll. */
    public void wake() {
        synchronized (work) {
            work.notifyAll();
        }
    }

    /** Stops a running job after its current step (with a checkpoint). The database flag is the API's to set. */
    public void requestStop(String jobId) {
        stopRequests.add(jobId);
    }

    /** A stopped job was put back in the queue: forget its old stop request. */
    public void clearStop(String jobId) {
        stopRequests.remove(jobId);
        wake();
    }

    boolean stopRequested(String jobId) {
        return stopRequests.contains(jobId);
    }

    boolean shuttingDown() {
        return shutdown;
    }

    boolean abandoned() {
        return abandoned;
    }

    public String currentJob() {
        return currentJob;
    }

    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /**
     * Registers a job's checkpoint, the same way for every stage: the weights blob (optimizer state stays in the
     * resume file on the volume) with its manifest and row, then the resume file, then its announcement.
     *
     * @param previousCheckpointId the job's checkpoint before this one, or null
     */
    void saveCheckpoint(
            JobRow job,
            JobPlan plan,
            String id,
            int step,
            Map<String, Object> model,
            Checkpoint full,
            Map<String, Object> lineage,
            String previousCheckpointId,
            Float trainLoss,
            Float valLoss)
            throws IOException {
        String tok = full.tokenizerId();
        // What chat and feedback need is the weights: the published blob leaves the optimizer state on the volume.
        Checkpoint weights = new Checkpoint(
                full.config(),
                null,
                full.step(),
                full.rngState(),
                full.dataPosition(),
                tok,
                full.metadata(),
                full.metrics(),
                full.weights(),
                null,
                null);
        Path blob = checkpointFile(id);
        MessageDigest sha = Chunks.sha256();
        AtomicFiles.write(blob, out -> {
            DigestOutputStream d = new DigestOutputStream(out, sha);
            weights.write(d);
            d.flush();
        });
        long size = Files.size(blob);
        int chunks = (int) ((size + Chunks.CHUNK_BYTES - 1) / Chunks.CHUNK_BYTES);
        Map<String, Object> lineageNow = new LinkedHashMap<>(lineage);
        if (previousCheckpointId != null) lineageNow.put("previousCheckpointId", previousCheckpointId);
        lineageNow.put("hyperparameters", hyperparameters(plan));
        Map<String, Object> manifestMetrics = new LinkedHashMap<>(full.metrics());
        manifestMetrics.put("step", step);
        CheckpointManifest manifest = new CheckpointManifest(
                CheckpointManifest.SCHEMA,
                id,
                plan.stage(),
                step,
                plan.parent(),
                tok,
                model,
                lineageNow,
                manifestMetrics,
                size,
                chunks,
                Chunks.hex(sha.digest()),
                Instant.now());
        checkpoints.upsert(new CheckpointRow(
                id,
                job.id(),
                plan.stage(),
                step,
                trainLoss,
                valLoss,
                tok,
                plan.parent(),
                manifest.sha256(),
                size,
                chunks,
                blob.toAbsolutePath().toString(),
                Json.string(manifest),
                null,
                null));
        AtomicFiles.write(resumeFile(job.id()), full::write);
        jobs.checkpointed(job.id(), id);
        publishPending();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("step", step);
        e.put("sha256", manifest.sha256());
        e.put("sizeBytes", size);
        if (trainLoss != null) e.put("trainLoss", trainLoss);
        if (valLoss != null) e.put("valLoss", valLoss);
        events.publish(job.id(), "checkpoint", e);
    }

    /** How the stage trained, for the model card (the data it trained on is the rest of the lineage). */
    static Map<String, Object> hyperparameters(JobPlan plan) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("steps", plan.steps());
        h.put("batchSize", plan.batchSize());
        h.put("gradAccum", plan.gradAccum());
        h.put("context", plan.model().blockSize());
        h.put("lr", plan.lr());
        h.put("minLr", plan.minLr());
        h.put("warmupSteps", plan.warmupSteps());
        h.put("weightDecay", plan.weightDecay());
        h.put("betas", java.util.List.of(plan.beta1(), plan.beta2()));
        h.put("clip", plan.clip());
        h.put("dropout", plan.model().dropout());
        h.put("seed", plan.seed());
        if (plan.sft() != null && plan.sft().epochs() != null)
            h.put("epochs", plan.sft().epochs());
        if (plan.preference() != null) {
            h.put("beta", plan.preference().beta());
            h.put("sftWeight", plan.preference().sftWeight());
        }
        return h;
    }

    Path checkpointFile(String checkpointId) {
        return settings.stateDir().resolve("checkpoints").resolve(checkpointId + ".ckpt");
    }

    /** An sft job's examples, fixed when it first starts. */
    Path sftDataFile(String jobId) {
        return settings.stateDir().resolve("jobs").resolve(jobId).resolve("sft-data.json");
    }

    Path resumeFile(String jobId) {
        return settings.stateDir().resolve("jobs").resolve(jobId).resolve("resume.ckpt");
    }

    private volatile long lastPublishAttempt;

    private void loop() {
        publishPending();
        while (!shutdown && !abandoned) {
            Optional<JobRow> next;
            try {
                next = jobs.nextToRun();
            } catch (RuntimeException e) {
                LOG.warnf("cannot read the job queue: %s", e.getMessage());
                pause(2000);
                continue;
            }
            if (next.isEmpty()) {
                // Idle: checkpoints that could not be published (the broker was away) go out once it is back.
                if (System.nanoTime() - lastPublishAttempt > 10_000_000_000L) publishPending();
                pause(1000);
                continue;
            }
            JobRow job = next.get();
            currentJob = job.id();
            try {
                if (job.stopRequested()) stopRequests.add(job.id());
                if (job.plan().preference() != null) new PreferenceRun(this, job).run();
                else new PretrainRun(this, job).run();
            } catch (PretrainRun.Abandoned a) {
                return;
            } catch (Throwable t) {
                if (abandoned) return;
                String why = t.getClass().getSimpleName() + ": " + t.getMessage();
                LOG.errorf(t, "job %s failed", job.id());
                try {
                    jobs.fail(job.id(), why);
                } catch (RuntimeException e) {
                    LOG.errorf("cannot mark job %s failed: %s", job.id(), e.getMessage());
                    pause(2000);
                }
                events.publish(job.id(), "end", Map.of("state", JobRepository.FAILED, "error", why));
            } finally {
                currentJob = null;
                stopRequests.remove(job.id());
            }
        }
    }

    private void pause(long millis) {
        synchronized (work) {
            try {
                work.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shutdown = true;
            }
        }
    }

    /** Publishes every registered checkpoint that has not reached Kafka yet (the broker was down, or we crashed). */
    void publishPending() {
        lastPublishAttempt = System.nanoTime();
        if (publisher == null) return;
        try {
            for (CheckpointRow row : checkpoints.unpublished()) {
                Path file = Path.of(row.path());
                if (!Files.isReadable(file)) {
                    LOG.warnf("checkpoint %s is registered but %s is missing; not publishing it", row.id(), file);
                    continue;
                }
                try {
                    publisher.publish(file, Json.read(row.manifest(), CheckpointManifest.class));
                    checkpoints.markPublished(row.id());
                } catch (Exception e) {
                    LOG.warnf("cannot publish checkpoint %s yet (will retry): %s", row.id(), e.getMessage());
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read unpublished checkpoints: %s", e.getMessage());
        }
    }

    /** Graceful stop: the running job finishes its step, checkpoints and stays "running" to resume on restart. */
    @Override
    public void close() {
        shutdown = true;
        wake();
        join(120_000);
    }

    /** A simulated crash: the runner stops at the next step boundary and writes nothing more. */
    public void abandon() {
        abandoned = true;
        wake();
        if (Thread.currentThread() != thread) join(60_000);
    }

    private void join(long millis) {
        Thread t = thread;
        if (t == null) return;
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
