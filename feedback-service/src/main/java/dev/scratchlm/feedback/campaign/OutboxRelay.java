package dev.scratchlm.feedback.campaign;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.feedback.FeedbackConfig;
import dev.scratchlm.service.BackgroundLoop;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes due outbox rows, exactly once. Within a session the producer is idempotent (its retries never
 * duplicate) and a row is marked sent once the broker has it (acks=all). A crash between the two would send the row
 * again, so every session starts by <b>reconciling</b>: it reads each topic from shortly before its oldest unsent row
 * and marks as sent the rows whose id it finds in a record's header. Only the replica holding a PostgreSQL advisory
 * lock relays, so two replicas never race on the same rows.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The advisory lock key of the relay ("fb84"). */
    static final long LOCK = 0x66623834L;

    private static final int BATCH = 500;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    AgroalDataSource db;

    @Inject
    FeedbackConfig config;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth health;

    private final BackgroundLoop loop = new BackgroundLoop("outbox-relay", this::session);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong reconciled = new AtomicLong();

    void start(@Observes StartupEvent event) {
        topics.await(Duration.ofSeconds(60));
        health.register(loop);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.stop(Duration.ofSeconds(10));
    }

    /** Rows published since start-up. */
    public long sent() {
        return sent.get();
    }

    /** Rows found already on their topic at a session's start (a crash after the send, before the mark). */
    public long reconciled() {
        return reconciled.get();
    }

    private void session(BackgroundLoop loop) throws Exception {
        try (Connection lock = db.getConnection()) {
            if (!tryLock(lock)) {
                loop.pause(Duration.ofSeconds(2)); // another replica relays
                return;
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
                reconcile();
                loop.clearError();
                while (loop.running()) {
                    int n = relayDue(producer);
                    if (n < BATCH && !loop.pause(config.outboxInterval())) return;
                }
            } finally {
                try (PreparedStatement s = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    s.setLong(1, LOCK);
                    s.execute();
                }
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, LOCK);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private record Row(String id, String topic, String key, byte[] payload) {}

    private int relayDue(KafkaProducer<String, byte[]> producer) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id, topic, record_key, payload FROM outbox "
                        + "WHERE sent_at IS NULL AND available_at <= now() ORDER BY available_at, id LIMIT " + BATCH)) {
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getBytes(4)));
            }
        }
        if (rows.isEmpty()) return 0;
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        for (Row row : rows) {
            ProducerRecord<String, byte[]> rec = new ProducerRecord<>(row.topic(), row.key(), row.payload());
            rec.headers().add(Outbox.ID_HEADER, row.id().getBytes(StandardCharsets.UTF_8));
            acks.add(producer.send(rec));
        }
        for (Future<RecordMetadata> ack : acks) ack.get(30, TimeUnit.SECONDS);
        markSent(rows.stream().map(Row::id).toList());
        sent.addAndGet(rows.size());
        return rows.size();
    }

    /** @return how many of these rows were still unsent */
    private int markSent(java.util.Collection<String> ids) throws SQLException {
        if (ids.isEmpty()) return 0;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE outbox SET sent_at = now() WHERE id = ANY (?) AND sent_at IS NULL")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            return s.executeUpdate();
        }
    }

    /** Marks as sent the unsent rows that are on their topic already. */
    void reconcile() throws SQLException {
        Map<String, Instant> oldestUnsent = new HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT topic, min(created_at) FROM outbox WHERE sent_at IS NULL GROUP BY topic");
                ResultSet r = s.executeQuery()) {
            while (r.next()) oldestUnsent.put(r.getString(1), r.getTimestamp(2).toInstant());
        }
        if (oldestUnsent.isEmpty()) return;
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "feedback-outbox-" + UUID.randomUUID()))) {
            for (Map.Entry<String, Instant> e : oldestUnsent.entrySet()) {
                // A row is created before it is sent, so its record's timestamp is later; a minute covers clock skew.
                long from = e.getValue().minus(Duration.ofMinutes(1)).toEpochMilli();
                List<TopicPartition> parts = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(e.getKey()))
                    parts.add(new TopicPartition(e.getKey(), p.partition()));
                consumer.assign(parts);
                Map<TopicPartition, Long> query = new HashMap<>();
                for (TopicPartition tp : parts) query.put(tp, from);
                Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
                Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
                List<TopicPartition> toRead = new ArrayList<>();
                for (TopicPartition tp : parts) {
                    OffsetAndTimestamp at = starts.get(tp);
                    if (at != null && at.offset() < ends.get(tp)) toRead.add(tp);
                }
                consumer.assign(toRead);
                for (TopicPartition tp : toRead)
                    consumer.seek(tp, starts.get(tp).offset());
                while (!toRead.isEmpty()) {
                    for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                        Header h = rec.headers().lastHeader(Outbox.ID_HEADER);
                        if (h != null) found.add(new String(h.value(), StandardCharsets.UTF_8));
                    }
                    toRead.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
                    consumer.assign(toRead);
                }
            }
        }
        int n = markSent(found);
        if (n > 0) LOG.infof("outbox: %d rows were on their topic already (sent before a restart), not sent again", n);
        reconciled.addAndGet(n);
    }
}
