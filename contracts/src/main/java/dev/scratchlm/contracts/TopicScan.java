package dev.scratchlm.contracts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads topics from their beginning to their end as they are now (committed records only), then stops. */
public final class TopicScan {
    private TopicScan() {}

    public static void readAll(
            String bootstrap, List<String> topics, Consumer<ConsumerRecord<String, byte[]>> handler) {
        // A throwaway group that never commits: the scan moves no one else's offsets.
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "scan-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : topics) {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos != null) infos.forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (r.value() != null && r.offset() < end.get(new TopicPartition(r.topic(), r.partition())))
                        handler.accept(r);
                }
            }
        }
    }
}
