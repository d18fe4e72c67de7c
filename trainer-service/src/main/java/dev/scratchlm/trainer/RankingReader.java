package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Reads the {@code rankings} topic from its start up to a snapshot of its end offsets. A reward or DPO job records the
 * snapshot when it is submitted and reads exactly up to it every time it (re)starts, so rankings that arrive later
 * never change a running job's data. No consumer group offsets are committed: the topic is the store.
 */
final class RankingReader {
    private static final Logger LOG = Logger.getLogger(RankingReader.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** @param rankings distinct by ranking id, in topic order; @param rejected records that were not a ranking */
    record Result(List<Ranking> rankings, int rejected, int duplicates) {}

    private final String bootstrapServers;

    RankingReader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** The topic's current end offset per partition (what a job will read up to). */
    Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> parts = partitions(c);
            Map<Integer, Long> out = new TreeMap<>();
            c.endOffsets(parts, TIMEOUT).forEach((tp, off) -> out.put(tp.partition(), off));
            return out;
        }
    }

    /** Every ranking before {@code until} (partition -> end offset). */
    Result read(Map<Integer, Long> until) {
        List<Ranking> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        int rejected = 0, duplicates = 0;
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            for (Map.Entry<Integer, Long> e : until.entrySet())
                if (e.getValue() > 0) parts.add(new TopicPartition(Topics.RANKINGS, e.getKey()));
            if (parts.isEmpty()) return new Result(out, 0, 0);
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> remaining = new LinkedHashMap<>();
            for (TopicPartition tp : parts) remaining.put(tp, until.get(tp.partition()));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the rankings topic did not deliver up to its snapshot " + until + " within " + TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long end = remaining.get(tp);
                    if (end == null || r.offset() >= end) continue;
                    try {
                        Ranking k = Json.read(r.value(), Ranking.class);
                        if (k == null
                                || k.schema() != Ranking.SCHEMA
                                || k.id() == null
                                || k.taskId() == null
                                || k.candidates() == null
                                || k.order() == null
                                || k.prompt() == null) {
                            throw new IllegalArgumentException("not a schema-" + Ranking.SCHEMA
                                    + " ranking with id, task, prompt, candidates and order");
                        }
                        if (seen.add(k.id())) out.add(k);
                        else duplicates++;
                    } catch (RuntimeException e) {
                        rejected++;
                        LOG.warnf(
                                "skipping rankings record at partition %d offset %d: %s",
                                r.partition(), r.offset(), e.getMessage());
                    }
                }
                // Positions, not the last record seen: transaction markers occupy offsets too.
                remaining.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            }
        }
        return new Result(out, rejected, duplicates);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = KafkaSettings.consumer(bootstrapServers, "trainer-rankings-reader");
        return new KafkaConsumer<>(p);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(Topics.RANKINGS, TIMEOUT);
        List<TopicPartition> parts = new ArrayList<>();
        if (infos != null) for (PartitionInfo i : infos) parts.add(new TopicPartition(i.topic(), i.partition()));
        return parts;
    }
}
