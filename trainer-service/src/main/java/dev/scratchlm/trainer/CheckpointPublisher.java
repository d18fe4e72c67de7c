package dev.scratchlm.trainer;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Publishes a checkpoint file on the {@code checkpoints} topic as chunks followed by its manifest, so chat and
 * feedback services get it whole or not at all.
 */
public final class CheckpointPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;

    public CheckpointPublisher(String bootstrapServers) {
        this.producer = new KafkaProducer<>(KafkaSettings.producer(bootstrapServers));
    }

    /**
     * Sends the file's chunks and the manifest, and waits for the broker's acknowledgement.
     *
     * @throws IOException when the file no longer matches the manifest's size and SHA-256, or Kafka refuses it
     */
    public void publish(Path file, CheckpointManifest manifest) throws IOException {
        Chunks.publish(producer, Topics.CHECKPOINTS, manifest.checkpointId(), file, summary -> {
            if (summary.sizeBytes() != manifest.sizeBytes()
                    || !summary.sha256().equals(manifest.sha256())
                    || summary.chunkCount() != manifest.chunkCount()) {
                throw new IllegalStateException("checkpoint file " + file + " changed since it was registered: "
                        + summary + " vs the manifest's " + manifest.sha256());
            }
            return manifest;
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
