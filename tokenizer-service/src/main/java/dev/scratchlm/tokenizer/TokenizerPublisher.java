package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ApiError;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Publishes tokenizers on the compacted {@code tokenizers} topic (key: tokenizer id), for the trainer and chat. */
@ApplicationScoped
public class TokenizerPublisher {
    private static final Logger LOG = Logger.getLogger(TokenizerPublisher.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private Producer<String, byte[]> producer;

    /** Waits for the broker's acknowledgement: a tokenizer is registered only once others can read it. */
    public void publish(TokenizerRecord record) {
        try {
            producer()
                    .send(new ProducerRecord<>(Topics.TOKENIZERS, record.id(), Json.bytes(record)))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing tokenizer " + record.id(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.warnf(cause, "cannot publish tokenizer %s", record.id());
            throw ApiError.unavailable("cannot publish tokenizer " + record.id() + " on " + Topics.TOKENIZERS
                    + ": the broker did not acknowledge it; try again shortly");
        }
    }

    private synchronized Producer<String, byte[]> producer() {
        if (producer == null) producer = new KafkaProducer<>(KafkaSettings.producer(bootstrapServers));
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) producer.close(Duration.ofSeconds(5));
    }
}
