package dev.scratchlm.feedback;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.devstack.SharedDevStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reading and writing the test broker's topics directly. */
final class Topic {
    private Topic() {}

    /** Every record of the topic now there, from the start. */
    static List<ConsumerRecord<String, byte[]>> all(String topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(
                SharedDevStack.get().bootstrapServers(), "feedback-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read " + topic + " to its end");
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** Waits until the topic holds at least {@code n} records that match. */
    static List<ConsumerRecord<String, byte[]>> await(
            String topic, Predicate<ConsumerRecord<String, byte[]>> match, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<ConsumerRecord<String, byte[]>> found =
                    all(topic).stream().filter(match).toList();
            if (found.size() >= n) return found;
            if (System.nanoTime() > deadline)
                throw new AssertionError("only " + found.size() + " of " + n + " records on " + topic);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static void send(String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
