package dev.scratchlm.chat;

import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes thumbs up/down to {@code chat-feedback} and returns only once every in-sync replica has it (acks=all). */
@ApplicationScoped
public class FeedbackProducer {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, byte[]> producer;

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap));
        return producer;
    }

    /** Blocks until the record is durable; throws when the broker did not take it. */
    public void publish(ChatFeedback feedback) {
        try {
            producer().send(new ProducerRecord<>(Topics.CHAT_FEEDBACK, feedback.answerId(), Json.bytes(feedback)))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording feedback", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the feedback could not be recorded: " + e.getMessage(), e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        synchronized (this) {
            if (producer != null) producer.close(Duration.ofSeconds(5));
        }
    }
}
