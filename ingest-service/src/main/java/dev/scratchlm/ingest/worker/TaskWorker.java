package dev.scratchlm.ingest.worker;

import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.RejectedDocument;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.catalog.CatalogRepository.Verdict;
import dev.scratchlm.ingest.catalog.Outcome;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.service.BackgroundLoop;
import dev.scratchlm.service.Backoff;
import dev.scratchlm.service.DeadLetters;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The ingest consumer loop: one task at a time from the tasks topic, in the ingest consumer group (a second replica,
 * or a second worker in this JVM, takes half of the partitions).
 *
 * <p>Per task: (1) read and run the pipeline (no side effects); (2) ONE PostgreSQL transaction stores the dedup
 * claims, a row per record and the task's done marker with the task message's partition/offset; (3) ONE Kafka
 * transaction carries the documents, the rejections AND the task's offset commit. Crash windows:
 * <ul>
 *   <li>before (2) commits: nothing durable; the task is delivered again and redone from scratch;</li>
 *   <li>after (2), before (3) commits: the Kafka transaction is aborted (fenced by the next producer with this
 *       worker id, or timed out), so read_committed consumers never see its records; the offset did not move, so the
 *       same message comes again, the catalog recognises it (same partition/offset) and the SAME decisions are
 *       published again — no double counts, no duplicates, no dedup against itself;</li>
 *   <li>after (3): done; the offset moved atomically with the records, so the task never comes back.</li>
 * </ul>
 * A second copy of a task message (re-published after a planning crash) finds the done marker with another offset and
 * publishes nothing.
 *
 * <p>A task that fails (a bug, or an outage of the database or broker) is retried from the same message after a pause
 * that doubles up to {@link Settings#retry}'s cap. After its last attempt it is recorded as failed in the catalog (the
 * source's status shows it, with the reason) and moved to {@code ingest.tasks.dlq} in the same Kafka transaction that
 * commits the offset past it, so it no longer blocks its partition; replaying the dead letter does the task then. A
 * task message that is not a task at all goes to the dead-letter topic at once. The worker runs on a
 * {@link BackgroundLoop}: new Kafka clients after a failure outside a task, woken out of {@code poll} by {@link #stop}.
 */
public final class TaskWorker {
    private static final Logger LOG = Logger.getLogger(TaskWorker.class);
    /** About a minute of attempts (1, 2, 4, 8, 16, 30 s) before a task is given up. */
    public static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 7);

    /**
     * @param workerId stable per replica slot: the transactional id derives from it, so a restarted worker fences
     *                 its crashed predecessor and aborts its open transaction at once
     * @param mayRead whether a location may be read now (an upload, or a path inside the allowed directories): a task
     *                record is checked again before its file is opened, whoever put it on the topic
     */
    public record Settings(
            String bootstrapServers,
            String groupId,
            String tasksTopic,
            String workerId,
            int transactionTimeoutMs,
            Predicate<String> mayRead,
            Backoff retry) {
        public Settings(
                String bootstrapServers,
                String groupId,
                String tasksTopic,
                String workerId,
                int transactionTimeoutMs,
                Predicate<String> mayRead) {
            this(bootstrapServers, groupId, tasksTopic, workerId, transactionTimeoutMs, mayRead, RETRY);
        }
    }

    /** Test seam for crash windows and failures: called after the catalog commit, before the Kafka commit. */
    public interface Hook {
        void beforeKafkaCommit(IngestTask task, long tasksDoneSoFar);

        /** Called before the task's catalog transaction (after reading and the pipeline). */
        default void beforeCatalog(IngestTask task) {}
    }

    /** Thrown by a {@link Hook} to stop the worker dead, as a kill would: nothing is committed or aborted. */
    public static final class SimulatedCrash extends RuntimeException {
        public SimulatedCrash(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final TaskProcessor processor;
    private final CatalogRepository catalog;
    private final StepCounts catalogStats;
    private final StepCounts publishStats;
    private final AtomicLong tasksDone = new AtomicLong();
    private final AtomicLong tasksFailed = new AtomicLong();
    private final AtomicLong tasksRefused = new AtomicLong();
    private final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
    /** Failed attempts of the task messages being retried, by partition and offset (in memory: a restart starts over). */
    private final Map<String, Integer> attempts = new HashMap<>();

    private final BackgroundLoop loop;
    private volatile boolean crashed;
    private volatile Hook hook = (task, n) -> {};

    public TaskWorker(
            Settings settings,
            TaskProcessor processor,
            CatalogRepository catalog,
            StepCounts catalogStats,
            StepCounts publishStats) {
        this.settings = settings;
        this.processor = processor;
        this.catalog = catalog;
        this.catalogStats = catalogStats;
        this.publishStats = publishStats;
        this.loop = new BackgroundLoop("ingest-worker-" + settings.workerId(), this::session);
    }

    public void hook(Hook hook) {
        this.hook = hook;
    }

    /** Tasks whose outputs this worker committed. */
    public long tasksDone() {
        return tasksDone.get();
    }

    /** Tasks this worker gave up on (recorded as failed, sent to the dead-letter topic). */
    public long tasksFailed() {
        return tasksFailed.get();
    }

    /** Task records refused unread: not planned by the catalog, or naming a location that may not be read. */
    public long tasksRefused() {
        return tasksRefused.get();
    }

    public Set<TopicPartition> assignment() {
        return Set.copyOf(assignment);
    }

    public boolean crashed() {
        return crashed;
    }

    public String workerId() {
        return settings.workerId();
    }

    public BackgroundLoop loop() {
        return loop;
    }

    public void start() {
        loop.start();
    }

    /** Ends the worker after the task in hand, waiting for it. */
    public void stop() {
        loop.stop(Duration.ofSeconds(15));
    }

    public boolean alive() {
        return loop.alive();
    }

    /**
     * One session of Kafka clients: a worker that fails outside a task (the broker gone longer than the clients wait,
     * a producer in a fatal state) throws, and the loop starts over with new clients instead of leaving its
     * partitions unserved.
     */
    private void session(BackgroundLoop loop) {
        Properties cp = KafkaSettings.consumer(settings.bootstrapServers(), settings.groupId());
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1"); // a task is big; never hold more than one undone
        cp.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-" + settings.workerId());
        Properties pp = KafkaSettings.transactionalProducer(
                settings.bootstrapServers(), "scratchlm-ingest-" + settings.workerId());
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(settings.transactionTimeoutMs()));
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-" + settings.workerId());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp);
        loop.onWakeup(c::wakeup);
        try {
            // Before the first poll: fences a crashed predecessor with this id, aborting its open transaction, so the
            // offsets it left pending do not block this consumer.
            producer.initTransactions();
            c.subscribe(List.of(settings.tasksTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assignment.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignment.addAll(partitions);
                }
            });
            while (loop.running()) {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    if (!loop.running()) break;
                    handle(c, producer, rec);
                }
            }
        } catch (WakeupException e) {
            if (loop.running()) throw e; // not from stop(): start over
        } catch (SimulatedCrash e) {
            crashed = true;
            LOG.infof("worker %s: simulated crash (%s)", settings.workerId(), e.getMessage());
            loop.stop(Duration.ZERO);
        } catch (ProducerFencedException e) {
            LOG.errorf("worker %s: fenced by a newer worker with the same id; stopping", settings.workerId());
            loop.failed("fenced by a newer worker with the same id");
            loop.stop(Duration.ZERO);
        } finally {
            assignment.clear();
            if (crashed) {
                // Like a kill, the open transaction is neither committed nor aborted. The consumer does leave the
                // group (a killed one would be dropped after session.timeout.ms), so tests need not wait for that.
                producer.close(Duration.ZERO);
                c.close();
            } else {
                producer.close();
                c.close();
            }
        }
    }

    private void handle(
            KafkaConsumer<String, byte[]> c,
            KafkaProducer<String, byte[]> producer,
            ConsumerRecord<String, byte[]> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        Map<TopicPartition, OffsetAndMetadata> next = Map.of(tp, new OffsetAndMetadata(rec.offset() + 1));
        IngestTask task;
        try {
            task = Json.read(rec.value(), IngestTask.class);
        } catch (RuntimeException e) {
            // Never a task, whatever we retry: to the dead-letter topic, committed past in the same transaction.
            LOG.warnf("dead-lettering unreadable task at %s@%d: %s", tp, rec.offset(), e.getMessage());
            commit(
                    producer,
                    c,
                    next,
                    List.of(DeadLetters.of(
                            rec, settings.groupId(), DeadLetters.POISON, "not an ingest task: " + e.getMessage(), 1)));
            return;
        }
        try {
            String refusal = refusal(task);
            if (refusal != null) {
                // Anyone who can write to the tasks topic could name any file: only what planning stored is read.
                LOG.warnf("refusing task %s at %s@%d unread: %s", task.taskId(), tp, rec.offset(), refusal);
                tasksRefused.incrementAndGet();
                commit(producer, c, next, List.of());
                return;
            }
            task = catalog.task(task.taskId()).orElseThrow();
            List<Outcome> outcomes = processor.process(task);
            hook.beforeCatalog(task);
            long t0 = System.nanoTime();
            Verdict verdict = catalog.decide(task, rec.partition(), rec.offset(), settings.workerId(), outcomes);
            long bytes = outcomes.stream().mapToLong(o -> o.bytes).sum();
            catalogStats.record(
                    outcomes.size(),
                    bytes,
                    System.nanoTime() - t0,
                    outcomes.stream()
                            .filter(o -> !o.accepted() && o.filter().startsWith("dedup."))
                            .count());
            t0 = System.nanoTime();
            List<ProducerRecord<String, byte[]>> records =
                    verdict == Verdict.SKIP ? List.of() : records(task, outcomes);
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) producer.send(r);
            hook.beforeKafkaCommit(task, tasksDone.get());
            producer.sendOffsetsToTransaction(next, c.groupMetadata());
            producer.commitTransaction();
            publishStats.record(records.size(), bytes, System.nanoTime() - t0, 0);
            tasksDone.incrementAndGet();
            attempts.remove(key(rec));
            loop.clearError();
            // A skipped copy says nothing about the message that did the work: that one may still need a replay.
            if (verdict != Verdict.SKIP) {
                try {
                    int deleted = catalog.taskPublished(task.taskId(), task.sourceId());
                    if (deleted > 0)
                        LOG.infof(
                                "source %s is fully published: %d uploaded file(s) deleted", task.sourceId(), deleted);
                } catch (RuntimeException e) {
                    // Housekeeping only: the task is done; the source's uploads stay stored (kept, never lost).
                    LOG.warnf("task %s: could not record its publication: %s", task.taskId(), e.getMessage());
                }
            }
            LOG.debugf("task %s: %s, %d records", task.taskId(), verdict, outcomes.size());
        } catch (SimulatedCrash | ProducerFencedException e) {
            throw e;
        } catch (RuntimeException e) {
            // Database or broker trouble (or a bug): nothing was committed, so the task can be done again.
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // no transaction open (the catalog failed first)
            }
            failed(c, producer, rec, task, tp, next, e);
        }
    }

    /** Retries the task after a growing pause, or, after its last attempt, records it failed and dead-letters it. */
    private void failed(
            KafkaConsumer<String, byte[]> c,
            KafkaProducer<String, byte[]> producer,
            ConsumerRecord<String, byte[]> rec,
            IngestTask task,
            TopicPartition tp,
            Map<TopicPartition, OffsetAndMetadata> next,
            RuntimeException e) {
        Backoff retry = settings.retry();
        int n = attempts.merge(key(rec), 1, Integer::sum);
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        loop.failed("task " + task.taskId() + " failed (attempt " + n + " of " + retry.maxAttempts() + "): " + error);
        if (retry.exhausted(n)) {
            try {
                // Catalog first: once the offset has moved, the source must already say which task failed and why.
                catalog.taskFailed(
                        task,
                        rec.partition(),
                        rec.offset(),
                        settings.workerId(),
                        n,
                        "failed " + n + " times (" + e.getClass().getSimpleName()
                                + "); the detail is in the ingest-service log");
                commit(
                        producer,
                        c,
                        next,
                        List.of(DeadLetters.of(
                                rec,
                                settings.groupId(),
                                DeadLetters.FAILED,
                                "gave up after " + n + " attempts: " + error,
                                n)));
                attempts.remove(key(rec));
                LOG.errorf(e, "task %s failed %d times: recorded as failed and dead-lettered", task.taskId(), n);
                // Given up and recorded: readiness is clear again before the count says so (a test waits on the count).
                loop.clearError();
                tasksFailed.incrementAndGet();
                return;
            } catch (SimulatedCrash | ProducerFencedException fatal) {
                throw fatal;
            } catch (RuntimeException cannotRecord) {
                // The failure cannot be recorded (the database is the trouble): keep retrying rather than lose track.
                LOG.warnf("task %s: cannot record its failure yet: %s", task.taskId(), cannotRecord.getMessage());
                abort(producer);
            }
        } else {
            LOG.warnf(e, "task %s failed (attempt %d of %d), will retry", task.taskId(), n, retry.maxAttempts());
        }
        try {
            c.seek(tp, rec.offset()); // do it again, from the same message
        } catch (IllegalStateException revoked) {
            // the partition moved to another worker in a rebalance: its new owner does the task
        }
        loop.pause(retry.delay(n));
    }

    private static String key(ConsumerRecord<String, byte[]> rec) {
        return rec.topic() + "-" + rec.partition() + "@" + rec.offset();
    }

    private static void abort(KafkaProducer<String, byte[]> producer) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException ignored) {
            // no transaction open
        }
    }

    /** Why a task record must not be read, or null: it must be one the catalog planned, naming a readable location. */
    private String refusal(IngestTask task) {
        if (task.taskId() == null) return "no task id";
        Optional<IngestTask> stored = catalog.task(task.taskId());
        if (stored.isEmpty()) return "the catalog has no task " + task.taskId();
        IngestTask planned = stored.get();
        if (!Objects.equals(planned.location(), task.location())
                || !Objects.equals(planned.entry(), task.entry())
                || !Objects.equals(planned.sourceId(), task.sourceId())) {
            return "its source or location differs from the task the catalog planned";
        }
        if (planned.location() == null || !settings.mayRead().test(planned.location())) {
            return "its location is outside the allowed directories";
        }
        return null;
    }

    private void commit(
            KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> c,
            Map<TopicPartition, OffsetAndMetadata> next,
            List<ProducerRecord<String, byte[]>> records) {
        producer.beginTransaction();
        for (ProducerRecord<String, byte[]> r : records) producer.send(r);
        producer.sendOffsetsToTransaction(next, c.groupMetadata());
        producer.commitTransaction();
    }

    private static List<ProducerRecord<String, byte[]>> records(IngestTask task, List<Outcome> outcomes) {
        Instant now = Instant.now();
        return outcomes.stream()
                .map(o -> o.accepted()
                        ? new ProducerRecord<>(
                                Topics.DOCUMENTS,
                                o.docId,
                                Json.bytes(new Document(
                                        Document.SCHEMA,
                                        o.docId,
                                        o.doc.text,
                                        task.sourceId(),
                                        task.sourceType(),
                                        o.uri,
                                        o.title,
                                        o.date,
                                        o.language,
                                        task.license(),
                                        o.doc.piiReplaced.isEmpty() ? null : Map.copyOf(o.doc.piiReplaced),
                                        now)))
                        : new ProducerRecord<>(
                                Topics.DOCUMENTS_REJECTED,
                                o.docId,
                                Json.bytes(new RejectedDocument(
                                        RejectedDocument.SCHEMA,
                                        o.docId,
                                        task.sourceId(),
                                        o.uri,
                                        o.filter(),
                                        o.reason(),
                                        o.language,
                                        o.date,
                                        now))))
                .toList();
    }
}
