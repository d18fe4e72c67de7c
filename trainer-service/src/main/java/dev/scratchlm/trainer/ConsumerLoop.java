package dev.scratchlm.trainer;

import dev.scratchlm.contracts.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An explicit Kafka consumer loop on its own thread: poll, handle each record, commit the offsets of what was
 * handled. A record that can never be handled (bad bytes) is rejected with its reason and skipped; a failure of our
 * own (database or disk) commits nothing past it, rewinds, and retries after a pause, so nothing is lost.
 */
abstract class ConsumerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    /** A record that will never be handled, whatever we retry: it is skipped and counted. */
    static final class Rejected extends RuntimeException {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private final String topic;
    private final Properties props;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    ConsumerLoop(String bootstrapServers, String group, String topic) {
        this.topic = topic;
        this.props = KafkaSettings.consumer(bootstrapServers, group);
    }

    /** Handles one record durably and returns what happened (e.g. stored, duplicate), or throws {@link Rejected}. */
    protected abstract String handle(ConsumerRecord<String, byte[]> record);

    public synchronized void start() {
        thread = new Thread(this::loop, "trainer-consumer-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** How many records ended in each outcome (stored, duplicate, rejected, ...). */
    public Map<String, AtomicLong> counts() {
        return counts;
    }

    public long count(String outcome) {
        AtomicLong c = counts.get(outcome);
        return c == null ? 0 : c.get();
    }

    private void loop() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            if (!running) return;
            c.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty()) continue;
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                boolean failed = false;
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                        if (failed) {
                            c.seek(tp, r.offset()); // not handled this round: read it again
                            break;
                        }
                        try {
                            counts.computeIfAbsent(handle(r), k -> new AtomicLong()).incrementAndGet();
                        } catch (Rejected e) {
                            LOG.warnf("rejected %s record %s (partition %d, offset %d): %s", topic, r.key(), r.partition(), r.offset(), e.getMessage());
                            counts.computeIfAbsent("rejected", k -> new AtomicLong()).incrementAndGet();
                        } catch (RuntimeException e) {
                            LOG.errorf("cannot handle %s record %s now, will retry: %s", topic, r.key(), e.getMessage());
                            c.seek(tp, r.offset());
                            failed = true;
                            break;
                        }
                        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    }
                }
                if (!done.isEmpty()) c.commitSync(done);
                if (failed) sleep(2000);
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            if (running) LOG.errorf(e, "the %s consumer stopped", topic);
        } finally {
            consumer = null;
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
