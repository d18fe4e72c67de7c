package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.BackgroundLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Encodes every record of {@code documents} with one tokenizer into {@code token-shards}, exactly once.
 *
 * <p>Consume-transform-produce in Kafka transactions: the shards made from a run of documents and the consumer offsets
 * past those documents are committed in one transaction ({@code sendOffsetsToTransaction}), so after any crash the
 * documents whose shards were not committed are read again and the aborted shards stay invisible to read_committed
 * consumers. The consumer group is per tokenizer ({@link #groupId}): a newly activated tokenizer starts at the
 * beginning of {@code documents} and so re-encodes everything, and replicas running the same tokenizer split the
 * partitions between them. A transaction closes every open shard, so a shard never spans two transactions.
 *
 * <p>Exactly once holds per document id, not only per record: when the worker is handed a partition it reads back
 * which document ids its committed shards already hold ({@link EncodedDocuments}), and skips a document id that is
 * published again.
 */
public final class ShardWorker {
    private static final Logger LOG = Logger.getLogger(ShardWorker.class);

    /**
     * @param instanceId     unique per replica and stable across its restarts: it names the transactional id, so a
     *                       restarted replica fences its own previous incarnation and aborts what it left open
     * @param maxRecordBytes size limit of one encoded shard
     * @param commitInterval how long a transaction collects documents before it commits (bigger shards vs latency)
     */
    public record Settings(String bootstrapServers, String instanceId, int maxRecordBytes, Duration commitInterval) {}

    /** Hooks for metrics and tests; called on the worker's thread. */
    public interface Events {
        default void shardSent(ShardWorker worker, TokenShard shard) {}

        default void committed(ShardWorker worker, int documents, int shards, long tokens) {}

        default void unreadable(ShardWorker worker, ConsumerRecord<String, byte[]> record, String why) {}

        /** A document id this tokenizer has encoded already, published again: skipped. */
        default void duplicate(ShardWorker worker, ConsumerRecord<String, byte[]> record, String documentId) {}
    }

    private final Tokenizer tokenizer;
    private final String tokenizerId;
    private final int endOfText;
    private final Settings settings;
    private final Events events;
    private final BackgroundLoop loop;
    private final Set<TopicPartition> assignment =
            new ConcurrentSkipListSet<>((a, b) -> a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));
    private final AtomicLong documentsCommitted = new AtomicLong();
    private final AtomicLong shardsCommitted = new AtomicLong();
    private final AtomicLong transactionsCommitted = new AtomicLong();
    private volatile boolean halted;

    public ShardWorker(Tokenizer tokenizer, String tokenizerId, Settings settings, Events events) {
        this.tokenizer = tokenizer;
        this.tokenizerId = tokenizerId;
        this.endOfText = tokenizer.specialId(ChatTemplate.ENDOFTEXT);
        this.settings = settings;
        this.events = events;
        this.loop = new BackgroundLoop("shards-" + tokenizerId + "-" + settings.instanceId(), this::session);
    }

    /** The consumer group that tracks how far this tokenizer has encoded {@code documents}. */
    public static String groupId(String tokenizerId) {
        return "tokenizer-shards-" + tokenizerId;
    }

    public String transactionalId() {
        return groupId(tokenizerId) + "-" + settings.instanceId();
    }

    public String tokenizerId() {
        return tokenizerId;
    }

    public void start() {
        loop.start();
    }

    /** Commits what is in flight and leaves the group, so the other replicas take over its partitions. */
    public void stop() {
        loop.stop(Duration.ofSeconds(60));
    }

    /**
     * Stops dead, as if the process died mid-transaction: whatever was sent stays in an open transaction on the
     * broker (until this instance id starts again and aborts it, or the transaction times out) and no offset moves.
     */
    public void halt() {
        halted = true;
    }

    public boolean isRunning() {
        return loop.running() && !halted;
    }

    public String lastError() {
        return loop.lastError();
    }

    /** The thread the worker runs on (for readiness). */
    public BackgroundLoop loop() {
        return loop;
    }

    /** The documents partitions this worker holds right now. */
    public Set<Integer> assignedPartitions() {
        Set<Integer> out = new TreeSet<>();
        for (TopicPartition tp : assignment) out.add(tp.partition());
        return out;
    }

    public long documentsCommitted() {
        return documentsCommitted.get();
    }

    public long shardsCommitted() {
        return shardsCommitted.get();
    }

    public long transactionsCommitted() {
        return transactionsCommitted.get();
    }

    private void session(BackgroundLoop loop) {
        Properties pp = KafkaSettings.transactionalProducer(settings.bootstrapServers(), transactionalId());
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        Properties cp = KafkaSettings.consumer(settings.bootstrapServers(), groupId(tokenizerId));
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, transactionalId());
        // Static membership: a replica that restarts under its instance id takes its partitions back at once, without
        // waiting out the dead incarnation's session or moving every other replica's partitions.
        cp.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.instanceId());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp);
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp)) {
            producer.initTransactions(); // aborts whatever an earlier incarnation of this instance left open
            Transaction txn = new Transaction(
                    producer,
                    consumer,
                    producer.partitionsFor(Topics.TOKEN_SHARDS).size());
            consumer.subscribe(List.of(Topics.DOCUMENTS), new Rebalance(txn));
            loop.clearError();
            while (loop.running()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    txn.add(record);
                    if (halted) {
                        die(producer, loop);
                        return;
                    }
                }
                if (halted) {
                    die(producer, loop);
                    return;
                }
                if (txn.open && txn.age().compareTo(settings.commitInterval()) >= 0) txn.commit();
            }
            if (txn.open) txn.commit();
        } finally {
            assignment.clear();
        }
    }

    /** The crash: sent records reach the broker, the transaction stays open, the producer goes without a word. */
    private void die(KafkaProducer<String, byte[]> producer, BackgroundLoop loop) {
        producer.flush();
        producer.close(Duration.ZERO);
        loop.stop(Duration.ZERO);
        LOG.infof("shard worker %s halted mid-transaction", transactionalId());
    }

    /** The documents and shards of the transaction in progress. */
    private final class Transaction {
        final KafkaProducer<String, byte[]> producer;
        final KafkaConsumer<String, byte[]> consumer;
        final int shardPartitions;
        final ShardPacker packer;
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        /** Per documents partition held: the ids already encoded (committed, or in this transaction). */
        final Map<Integer, Set<String>> encoded = new HashMap<>();

        boolean open;
        long startedNanos;
        int documents;
        int shards;
        long tokens;

        Transaction(
                KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer, int shardPartitions) {
            this.producer = producer;
            this.consumer = consumer;
            this.shardPartitions = shardPartitions;
            this.packer = new ShardPacker(tokenizerId, endOfText, tokenizer.vocabSize(), settings.maxRecordBytes());
        }

        Duration age() {
            return Duration.ofNanos(System.nanoTime() - startedNanos);
        }

        void add(ConsumerRecord<String, byte[]> record) {
            if (!open) {
                producer.beginTransaction();
                open = true;
                startedNanos = System.nanoTime();
            }
            offsets.put(
                    new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            Document doc;
            try {
                doc = Json.read(record.value(), Document.class);
            } catch (RuntimeException e) {
                events.unreadable(ShardWorker.this, record, "not a Document: " + e.getMessage());
                return;
            }
            String id = doc.id() != null ? doc.id() : record.key();
            if (id == null || doc.text() == null) {
                events.unreadable(ShardWorker.this, record, "document without " + (id == null ? "an id" : "text"));
                return;
            }
            Set<String> done = encoded.get(record.partition());
            if (done != null && !done.add(id)) {
                events.duplicate(ShardWorker.this, record, id);
                return;
            }
            // Documents are data: text that looks like <|endoftext|> is encoded as plain bytes, never as the control
            // token.
            int[] ids = tokenizer.encodeOrdinary(doc.text());
            for (ShardPacker.Packed p : packer.add(
                    record.partition(),
                    record.offset(),
                    id,
                    Split.of(id),
                    doc.date(),
                    doc.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    ids)) {
                send(p);
            }
            documents++;
        }

        void send(ShardPacker.Packed p) {
            TokenShard shard = p.shard();
            byte[] bytes = shard.encode();
            if (bytes.length > settings.maxRecordBytes()) {
                throw new IllegalStateException(
                        "shard " + shard.shardId() + " is " + bytes.length + " bytes, over the limit");
            }
            // All shards of one documents partition go to one token-shards partition, in order: a cut document's
            // parts stay consecutive.
            producer.send(new ProducerRecord<>(
                    Topics.TOKEN_SHARDS, p.documentsPartition() % shardPartitions, shard.shardId(), bytes));
            shards++;
            tokens += shard.tokenCount();
            events.shardSent(ShardWorker.this, shard);
        }

        void commit() {
            for (ShardPacker.Packed p : packer.flush()) send(p);
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction(); // throws if any send failed; the session then restarts from committed offsets
            documentsCommitted.addAndGet(documents);
            shardsCommitted.addAndGet(shards);
            transactionsCommitted.incrementAndGet();
            events.committed(ShardWorker.this, documents, shards, tokens);
            offsets.clear();
            open = false;
            documents = 0;
            shards = 0;
            tokens = 0;
        }
    }

    /** Partitions leave only after the work done on them is committed. */
    private final class Rebalance implements ConsumerRebalanceListener {
        final Transaction txn;

        Rebalance(Transaction txn) {
            this.txn = txn;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!halted && txn.open) txn.commit();
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // What this tokenizer already encoded from them, so a re-published document id is not encoded twice.
            List<Integer> fresh =
                    partitions.stream().map(TopicPartition::partition).toList();
            txn.encoded.putAll(EncodedDocuments.load(
                    settings.bootstrapServers(), tokenizerId, fresh, txn.shardPartitions, Duration.ofSeconds(70)));
            assignment.addAll(new ArrayList<>(partitions));
        }

        private void forget(Collection<TopicPartition> partitions) {
            assignment.removeAll(partitions);
            for (TopicPartition tp : partitions) txn.encoded.remove(tp.partition());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            if (txn.open) {
                // Another member may own them already: our open transaction must not commit. Closing the producer
                // aborts it, and the new session starts from the committed offsets.
                throw new IllegalStateException("partitions " + partitions + " lost mid-transaction");
            }
        }
    }
}
