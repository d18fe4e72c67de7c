package dev.scratchlm.chat;

import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Publishes thumbs up/down to {@code chat-feedback} and returns only once every in-sync replica has it (acks=all). */
@ApplicationScoped
public class FeedbackProducer {
    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(FeedbackProducer.class.getName());

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, byte[]> producer;

    /** Whole-send bound: a person waits on this request, so a broker that is away is a quick 503, not a minute. */
    static final int TIMEOUT_MS = 5000;

    FeedbackProducer() {}

    FeedbackProducer(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties p = KafkaSettings.producer(bootstrap); // acks=all, idempotent: a retry never duplicates
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT_MS / 2)); // waiting for metadata
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_MS / 2));
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_MS));
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    /** Blocks until the record is durable; throws when the broker did not take it. */
    public void publish(ChatFeedback feedback) {
        try {
            producer()
                    .send(new ProducerRecord<>(Topics.CHAT_FEEDBACK, feedback.answerId(), Json.bytes(feedback)))
                    .get(TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw unavailable(e);
        }
    }

    private static OpenAiError unavailable(Exception e) {
        LOG.warning("feedback not recorded: " + e);
        return new OpenAiError(
                503,
                "server_error",
                null,
                "feedback_unavailable",
                "The feedback could not be recorded right now; please send it again shortly.");
    }

    void stop(@Observes ShutdownEvent event) {
        synchronized (this) {
            if (producer != null) producer.close(Duration.ofSeconds(5));
        }
    }
}
