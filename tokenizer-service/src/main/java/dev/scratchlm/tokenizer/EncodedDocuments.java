package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which documents a tokenizer has already encoded from some documents partitions, read back from its own committed
 * shards. The shard worker loads this when it is handed partitions, so a document id that appears on
 * {@code documents} twice (a re-publication) is still encoded once: the state lives in the same transactions as the
 * shards, so it can never disagree with them.
 */
final class EncodedDocuments {
    private static final Logger LOG = Logger.getLogger(EncodedDocuments.class);

    private EncodedDocuments() {}

    /** The part of a shard's JSON header this needs; other fields are ignored. */
    private record Header(String shardId, String tokenizerId, List<String> documentIds) {}

    /**
     * @param wait how long to wait for other producers' open transactions on those partitions to finish (they hide
     *             later committed shards from a read_committed reader until they end)
     * @return documents partition → ids of the documents encoded from it
     */
    static Map<Integer, Set<String>> load(
            String bootstrapServers,
            String tokenizerId,
            Collection<Integer> documentsPartitions,
            int shardPartitions,
            Duration wait) {
        Map<Integer, Set<String>> encoded = new HashMap<>();
        for (int p : documentsPartitions) encoded.put(p, new HashSet<>());
        if (documentsPartitions.isEmpty()) return encoded;
        List<TopicPartition> shardParts = documentsPartitions.stream()
                .map(p -> p % shardPartitions)
                .distinct()
                .map(p -> new TopicPartition(Topics.TOKEN_SHARDS, p))
                .toList();
        Map<TopicPartition, Long> end = highWatermarks(bootstrapServers, shardParts);

        Properties props = KafkaSettings.consumer(bootstrapServers, "unused");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
        long deadline = System.nanoTime() + wait.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(shardParts);
            consumer.seekToBeginning(shardParts);
            List<TopicPartition> pending = new ArrayList<>(shardParts);
            while (true) {
                pending.removeIf(tp -> consumer.position(tp) >= end.get(tp));
                if (pending.isEmpty()) break;
                if (System.nanoTime() > deadline) {
                    LOG.warnf(
                            "open transactions on %s kept some shards of %s unreadable for %s; a re-published document "
                                    + "encoded in them could be encoded again",
                            pending, tokenizerId, wait);
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header h = header(r.value());
                    if (h == null || !tokenizerId.equals(h.tokenizerId()) || h.shardId() == null) continue;
                    Set<String> ids = encoded.get(ShardPacker.documentsPartitionOf(h.shardId()));
                    if (ids != null && h.documentIds() != null) ids.addAll(h.documentIds());
                }
            }
        }
        return encoded;
    }

    /** The JSON header of an encoded {@link TokenShard}, without decoding its ids; null if it is not a shard. */
    private static Header header(byte[] shard) {
        if (shard == null || shard.length < 8 || !Arrays.equals(shard, 0, 4, new byte[] {'S', 'L', 'S', '1'}, 0, 4))
            return null;
        int length = ByteBuffer.wrap(shard, 4, 4).getInt();
        if (length < 0 || length > shard.length - 8) return null;
        try {
            return Json.read(Arrays.copyOfRange(shard, 8, 8 + length), Header.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Where the partitions end, including records of transactions still open. */
    private static Map<TopicPartition, Long> highWatermarks(String bootstrapServers, List<TopicPartition> parts) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartition tp : parts) latest.put(tp, OffsetSpec.latest());
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all()
                    .get()
                    .forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the end of " + Topics.TOKEN_SHARDS + ": "
                            + e.getCause().getMessage(),
                    e);
        }
    }
}
