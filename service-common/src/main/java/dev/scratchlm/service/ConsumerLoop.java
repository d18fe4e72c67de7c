package dev.scratchlm.service;

import dev.scratchlm.contracts.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The at-least-once consumer loop of the services, on its own thread ({@link BackgroundLoop}): poll, handle, and
 * commit the offsets of what was handled, so a crash replays at most the records in flight (handlers are
 * idempotent). Two kinds of failure are told apart:
 * <ul>
 *   <li>a record that can never succeed ({@link Poison}: bad bytes, an unknown schema) goes to {@code <topic>.dlq}
 *       with its reason ({@link DeadLetters}) and is committed past at once;</li>
 *   <li>any other exception is ours (database, disk, broker): nothing is committed past the record, which is read
 *       again after a pause that doubles each attempt ({@link Backoff}); after {@code maxAttempts} it goes to the
 *       dead-letter topic as {@code failed}, so one record never blocks its partition forever.</li>
 * </ul>
 * Attempts are counted in memory: a restarted process gives a failing record its attempts again. The failure being
 * retried is {@link #lastError()} (readiness shows it, see {@link LoopHealth}) until a record succeeds.
 * {@link #close} wakes the consumer out of {@code poll} and waits for the record in hand.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);
    public static final Backoff DEFAULT_RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 8);
    /** Outcome counted for a poison record. */
    public static final String REJECTED = "rejected";
    /** Outcome counted for a record whose retries ran out. */
    public static final String FAILED = "failed";

    /** A record that will never be handled, whatever we retry: dead-lettered at once and committed past. */
    public static final class Poison extends RuntimeException {
        public Poison(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Handles one record durably and returns what happened (counted, e.g. "stored", "duplicate"); may throw {@link Poison}. */
    @FunctionalInterface
    public interface RecordHandler {
        String handle(ConsumerRecord<String, byte[]> record) throws Exception;
    }

    /** Handles one poll's records durably in one go (e.g. one INSERT); reports poison records to {@code rejects}. */
    @FunctionalInterface
    public interface BatchHandler {
        void handle(List<ConsumerRecord<String, byte[]>> records, Rejects rejects) throws Exception;
    }

    public interface Rejects {
        void poison(ConsumerRecord<String, byte[]> record, String reason);
    }

    private record Key(String topic, int partition, long offset) {
        static Key of(ConsumerRecord<?, ?> r) {
            return new Key(r.topic(), r.partition(), r.offset());
        }
    }

    private record Rejected(ConsumerRecord<String, byte[]> record, String reason) {}

    private final String group;
    private final String bootstrapServers;
    private final List<String> topics;
    private final Properties consumerProperties;
    private final RecordHandler records;
    private final BatchHandler batches;
    private final Backoff retry;
    private final Duration pollTimeout;
    private final BackgroundLoop loop;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<Key, Integer> attempts = new HashMap<>();

    private ConsumerLoop(Builder b) {
        this.group = b.group;
        this.bootstrapServers = b.bootstrapServers;
        this.topics = List.copyOf(b.topics);
        this.consumerProperties = KafkaSettings.consumer(b.bootstrapServers, b.group);
        this.consumerProperties.putAll(b.extra);
        this.records = b.records;
        this.batches = b.batches;
        this.retry = b.retry;
        this.pollTimeout = b.pollTimeout;
        this.loop = new BackgroundLoop(b.name, this::session);
    }

    public static Builder builder(String name, String bootstrapServers, String group, String... topics) {
        return new Builder(name, bootstrapServers, group, List.of(topics));
    }

    public static final class Builder {
        private final String name, bootstrapServers, group;
        private final List<String> topics;
        private final Properties extra = new Properties();
        private RecordHandler records;
        private BatchHandler batches;
        private Backoff retry = DEFAULT_RETRY;
        private Duration pollTimeout = Duration.ofMillis(500);

        private Builder(String name, String bootstrapServers, String group, List<String> topics) {
            this.name = name;
            this.bootstrapServers = bootstrapServers;
            this.group = group;
            this.topics = topics;
        }

        public Builder records(RecordHandler handler) {
            this.records = handler;
            return this;
        }

        public Builder batches(BatchHandler handler) {
            this.batches = handler;
            return this;
        }

        public Builder retry(Backoff retry) {
            this.retry = retry;
            return this;
        }

        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = timeout;
            return this;
        }

        public Builder consumerProperty(String key, String value) {
            extra.put(key, value);
            return this;
        }

        public ConsumerLoop build() {
            if ((records == null) == (batches == null)) throw new IllegalStateException("give records() or batches()");
            return new ConsumerLoop(this);
        }
    }

    public ConsumerLoop start() {
        loop.start();
        return this;
    }

    /** The thread this runs on (for {@link LoopHealth}). */
    public BackgroundLoop loop() {
        return loop;
    }

    public boolean alive() {
        return loop.alive();
    }

    /** The failure being retried, if any. */
    public String lastError() {
        return loop.lastError();
    }

    /** How many records ended in each outcome (the handler's, {@link #REJECTED}, {@link #FAILED}). */
    public Map<String, AtomicLong> counts() {
        return counts;
    }

    public long count(String outcome) {
        AtomicLong c = counts.get(outcome);
        return c == null ? 0 : c.get();
    }

    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(30));
    }

    private void session(BackgroundLoop loop) {
        KafkaProducer<String, byte[]> dlq = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties)) {
            loop.onWakeup(consumer::wakeup);
            if (!loop.running()) return;
            consumer.subscribe(topics);
            DeadLetterSender sender = new DeadLetterSender();
            try {
                while (loop.running()) {
                    ConsumerRecords<String, byte[]> polled = consumer.poll(pollTimeout);
                    if (polled.isEmpty()) continue;
                    Duration pause =
                            records != null ? eachRecord(consumer, polled, sender) : batch(consumer, polled, sender);
                    if (pause != null) loop.pause(pause);
                }
            } finally {
                dlq = sender.producer;
            }
        } catch (WakeupException e) {
            if (loop.running()) throw e; // not ours: let the loop restart the session
        } finally {
            if (dlq != null) dlq.close(Duration.ofSeconds(5));
        }
    }

    /** @return the pause before a retry, or null when everything polled was dealt with */
    private Duration eachRecord(
            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> polled, DeadLetterSender dlq) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        Duration pause = null;
        for (TopicPartition tp : polled.partitions()) {
            for (ConsumerRecord<String, byte[]> r : polled.records(tp)) {
                if (pause != null) {
                    consumer.seek(tp, r.offset()); // not handled this round: read again after the pause
                    break;
                }
                try {
                    tally(records.handle(r));
                    attempts.remove(Key.of(r));
                    loop.clearError();
                } catch (Poison p) {
                    dlq.send(r, DeadLetters.POISON, p.getMessage(), 1);
                    tally(REJECTED);
                } catch (WakeupException e) {
                    throw e;
                } catch (Exception e) {
                    Key k = Key.of(r);
                    int n = attempts.merge(k, 1, Integer::sum);
                    String error = describe(r, e, n);
                    loop.failed(error);
                    if (retry.exhausted(n)) {
                        LOG.errorf(e, "%s: giving up; dead-lettered", error);
                        dlq.send(r, DeadLetters.FAILED, "gave up after " + n + " attempts: " + e, n);
                        attempts.remove(k);
                        tally(FAILED);
                    } else {
                        pause = retry.delay(n);
                        LOG.warnf("%s; retrying in %d ms", error, pause.toMillis());
                        consumer.seek(tp, r.offset());
                        break;
                    }
                }
                done.put(tp, new OffsetAndMetadata(r.offset() + 1));
            }
        }
        if (!done.isEmpty()) commit(consumer, done);
        return pause;
    }

    private Duration batch(
            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> polled, DeadLetterSender dlq) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(polled.count());
        polled.forEach(all::add);
        Key k = Key.of(all.get(0));
        List<Rejected> rejected = new ArrayList<>();
        try {
            batches.handle(all, (r, reason) -> rejected.add(new Rejected(r, reason)));
            attempts.remove(k);
            loop.clearError();
        } catch (WakeupException e) {
            throw e;
        } catch (Exception e) {
            int n = attempts.merge(k, 1, Integer::sum);
            String error = describe(all.get(0), e, n) + " (a batch of " + all.size() + ")";
            loop.failed(error);
            if (!retry.exhausted(n)) {
                Duration pause = retry.delay(n);
                LOG.warnf("%s; retrying in %d ms", error, pause.toMillis());
                for (TopicPartition tp : polled.partitions())
                    consumer.seek(tp, polled.records(tp).get(0).offset());
                return pause;
            }
            // Retries ran out: one record at a time, so only the ones that still fail are dead-lettered.
            LOG.errorf(e, "%s: retrying its records one by one", error);
            attempts.remove(k);
            rejected.clear();
            for (ConsumerRecord<String, byte[]> r : all) {
                List<Rejected> own = new ArrayList<>();
                try {
                    batches.handle(List.of(r), (x, reason) -> own.add(new Rejected(x, reason)));
                    rejected.addAll(own);
                } catch (Exception single) {
                    dlq.send(r, DeadLetters.FAILED, "gave up after " + n + " attempts: " + single, n);
                    tally(FAILED);
                }
            }
        }
        for (Rejected r : rejected) {
            dlq.send(r.record(), DeadLetters.POISON, r.reason(), 1);
            tally(REJECTED);
        }
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = polled.records(tp);
            done.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        commit(consumer, done);
        tally("handled", all.size());
        return null;
    }

    /** A {@link #close} while records were being handled wakes this commit: what was handled is committed anyway. */
    private static void commit(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> done) {
        try {
            consumer.commitSync(done);
        } catch (WakeupException e) {
            consumer.commitSync(done);
            throw e;
        }
    }

    private String describe(ConsumerRecord<String, byte[]> r, Exception e, int attempt) {
        return loop.name() + ": " + r.topic() + "-" + r.partition() + "@" + r.offset() + " failed (attempt " + attempt
                + " of " + retry.maxAttempts() + "): " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void tally(String outcome) {
        tally(outcome, 1);
    }

    private void tally(String outcome, long n) {
        if (outcome != null)
            counts.computeIfAbsent(outcome, x -> new AtomicLong()).addAndGet(n);
    }

    /** Sends dead letters synchronously: the offset moves past a record only once its dead letter is stored. */
    private final class DeadLetterSender {
        KafkaProducer<String, byte[]> producer;

        void send(ConsumerRecord<String, byte[]> r, String kind, String reason, int attempts) {
            if (producer == null) {
                Properties p = KafkaSettings.producer(bootstrapServers);
                p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
                p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
                p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
                producer = new KafkaProducer<>(p);
            }
            try {
                producer.send(DeadLetters.of(r, group, kind, reason, attempts)).get(30, TimeUnit.SECONDS);
                LOG.warnf(
                        "%s: %s record %s-%d@%d (key %s) dead-lettered: %s",
                        loop.name(), kind, r.topic(), r.partition(), r.offset(), r.key(), reason);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while dead-lettering", e);
            } catch (ExecutionException | TimeoutException e) {
                // Not stored: nothing is committed past the record, which the restarted session reads again.
                throw new IllegalStateException(
                        "cannot write to "
                                + DeadLetters.of(r, group, kind, reason, attempts)
                                        .topic() + ": " + e.getMessage(),
                        e);
            }
        }
    }
}
