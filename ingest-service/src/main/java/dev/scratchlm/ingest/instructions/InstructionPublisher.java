package dev.scratchlm.ingest.instructions;

import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/** Accepted examples onto {@link Topics#INSTRUCTIONS}, keyed by example id; returns once the broker has them all. */
public final class InstructionPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;

    public InstructionPublisher(String bootstrapServers) {
        this.producer = new KafkaProducer<>(KafkaSettings.producer(bootstrapServers));
    }

    /** acks=all, idempotent: when this returns every example is on every in-sync replica. */
    public void publish(List<InstructionExample> examples) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(examples.size());
        for (InstructionExample e : examples) {
            acks.add(producer.send(new ProducerRecord<>(Topics.INSTRUCTIONS, e.id(), Json.bytes(e))));
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> ack : acks) ack.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing instructions", e);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "cannot publish to " + Topics.INSTRUCTIONS + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
