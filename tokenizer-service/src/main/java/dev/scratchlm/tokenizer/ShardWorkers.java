package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.service.LoopHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps one {@link ShardWorker} running on this replica for the active tokenizer. The registry in PostgreSQL is the
 * truth about which one is active, so every replica follows an activation made on any of them within a poll interval
 * (the replica that served the activation follows at once).
 */
@ApplicationScoped
public class ShardWorkers {
    private static final Logger LOG = Logger.getLogger(ShardWorkers.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "tokenizer.instance-id")
    Optional<String> instanceId;

    @ConfigProperty(name = "quarkus.http.port")
    int httpPort;

    @ConfigProperty(name = "tokenizer.shards.max-record-bytes")
    int maxRecordBytes;

    @ConfigProperty(name = "tokenizer.shards.commit-interval")
    Duration commitInterval;

    @ConfigProperty(name = "tokenizer.active-poll-interval")
    Duration pollInterval;

    @Inject
    TokenizerRepository registry;

    @Inject
    TokenizerCatalog catalog;

    @Inject
    MeterRegistry meters;

    @Inject
    LoopHealth loops;

    private ScheduledExecutorService follower;
    private ShardWorker current;
    private String lastError;

    void start() {
        if (maxRecordBytes > TokenShard.MAX_RECORD_BYTES) {
            throw new IllegalStateException(
                    "tokenizer.shards.max-record-bytes must be at most " + TokenShard.MAX_RECORD_BYTES);
        }
        follower = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "active-tokenizer-follower");
            t.setDaemon(true);
            return t;
        });
        follower.scheduleWithFixedDelay(this::follow, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Looks at the registry now rather than at the next tick (after an activation on this replica). */
    void nudge() {
        if (follower != null) follower.execute(this::follow);
    }

    synchronized void stop() {
        if (follower != null) follower.shutdownNow();
        if (current != null) retire(current);
        current = null;
    }

    private void retire(ShardWorker worker) {
        worker.stop();
        loops.unregister(worker.loop());
    }

    /** The worker of this replica, if the active tokenizer has one running here. */
    public synchronized Optional<ShardWorker> current() {
        return Optional.ofNullable(current);
    }

    public synchronized String lastError() {
        return current != null && current.lastError() != null ? current.lastError() : lastError;
    }

    private synchronized void follow() {
        try {
            String want = registry.activeId().orElse(null);
            if (current != null && current.tokenizerId().equals(want)) return;
            if (current != null) {
                LOG.infof("tokenizer %s is no longer active; stopping its shard worker", current.tokenizerId());
                retire(current);
                current = null;
            }
            if (want == null) return;
            Tokenizer tokenizer = catalog.find(want)
                    .orElseThrow(() -> new IllegalStateException("active tokenizer " + want + " vanished"));
            current = new ShardWorker(tokenizer, want, settings(), new Metrics(want));
            loops.register(current.loop());
            current.start();
            lastError = null;
            LOG.infof("encoding documents with tokenizer %s (transactional id %s)", want, current.transactionalId());
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            LOG.warnf(e, "cannot follow the active tokenizer");
        }
    }

    ShardWorker.Settings settings() {
        return new ShardWorker.Settings(bootstrapServers, instanceId(), maxRecordBytes, commitInterval);
    }

    /** Configured, else host name and HTTP port: unique per replica, and the same after a restart. */
    String instanceId() {
        if (instanceId.isPresent() && !instanceId.get().isBlank())
            return instanceId.get().trim();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "tokenizer";
        }
        return host + "-" + httpPort;
    }

    /** Counters on /q/metrics. */
    private final class Metrics implements ShardWorker.Events {
        final Counter documents;
        final Counter shards;
        final Counter tokens;
        final Counter transactions;
        final Counter unreadable;
        final Counter duplicates;

        Metrics(String tokenizerId) {
            documents = meters.counter("tokenizer.shards.documents", "tokenizer", tokenizerId);
            shards = meters.counter("tokenizer.shards.committed", "tokenizer", tokenizerId);
            tokens = meters.counter("tokenizer.shards.tokens", "tokenizer", tokenizerId);
            transactions = meters.counter("tokenizer.shards.transactions", "tokenizer", tokenizerId);
            unreadable = meters.counter("tokenizer.documents.unreadable", "stage", "shards");
            duplicates = meters.counter("tokenizer.shards.duplicates", "tokenizer", tokenizerId);
        }

        @Override
        public void duplicate(ShardWorker worker, ConsumerRecord<String, byte[]> record, String documentId) {
            duplicates.increment();
            LOG.infof(
                    "document %s was published again (%s-%d@%d); already encoded, skipped",
                    documentId, record.topic(), record.partition(), record.offset());
        }

        @Override
        public void committed(ShardWorker worker, int docs, int shardCount, long tokenCount) {
            documents.increment(docs);
            shards.increment(shardCount);
            tokens.increment(tokenCount);
            transactions.increment();
        }

        @Override
        public void unreadable(ShardWorker worker, ConsumerRecord<String, byte[]> record, String why) {
            unreadable.increment();
            LOG.warnf(
                    "skipping unreadable record at %s-%d@%d: %s",
                    record.topic(), record.partition(), record.offset(), why);
        }
    }
}
