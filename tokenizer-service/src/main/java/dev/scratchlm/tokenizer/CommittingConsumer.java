package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The at-least-once loop behind the database-fed consumers: poll, write the batch to PostgreSQL, then commit the
 * offsets. A crash between the two replays the batch, which the idempotent inserts ({@code ON CONFLICT DO NOTHING})
 * absorb, so the tables end up exact.
 */
final class CommittingConsumer {
    private CommittingConsumer() {}

    static BackgroundLoop loop(String name, String bootstrapServers, String group, String topic,
                               Consumer<ConsumerRecords<String, byte[]>> batch) {
        return new BackgroundLoop(name, loop -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, group))) {
                consumer.subscribe(List.of(topic));
                loop.clearError();
                while (loop.running()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) continue;
                    batch.accept(records);
                    consumer.commitSync();
                }
            }
        });
    }
}
