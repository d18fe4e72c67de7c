package dev.scratchlm.ingest.worker;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/** Puts a source's tasks on the tasks topic, spread round-robin over its partitions so every replica gets a share. */
public final class TaskPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String topic;

    public TaskPublisher(String bootstrapServers, String topic) {
        this.producer = new KafkaProducer<>(KafkaSettings.producer(bootstrapServers));
        this.topic = topic;
    }

    /** Returns once the broker has acknowledged every task (acks=all). */
    public void publish(List<IngestTask> tasks) {
        int partitions = producer.partitionsFor(topic).size();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        int i = 0;
        for (IngestTask t : tasks) {
            acks.add(producer.send(new ProducerRecord<>(topic, i++ % partitions, t.taskId(), Json.bytes(t))));
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> ack : acks) ack.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing tasks", e);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "cannot publish tasks to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
