package dev.scratchlm.service;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Default;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Creates every topic of {@link Topics#ALL} that does not exist yet (existing ones are left as they are), retrying
 * with a growing pause while the broker is not there yet. A service calls {@link #await} before it starts its
 * consumers; readiness stays down, saying why, until the topics exist.
 */
// @Default as well: @Readiness is a qualifier, and services inject this bean.
@Readiness
@Default
@ApplicationScoped
public class TopicSetup implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private volatile boolean done;
    private volatile boolean stopping;
    private volatile String problem = "not created yet";

    /**
     * Returns once the topics exist.
     * @throws IllegalStateException when they could not be created within {@code timeout}, or the service stops
     */
    public void await(Duration timeout) {
        if (done) return;
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10), Integer.MAX_VALUE);
        for (int attempt = 1; ; attempt++) {
            try {
                KafkaSettings.ensureTopics(bootstrapServers, Topics.ALL);
                done = true;
                problem = null;
                return;
            } catch (RuntimeException e) {
                problem = "Kafka at " + bootstrapServers + ": " + e.getMessage();
                Duration pause = backoff.delay(attempt);
                if (stopping || System.nanoTime() + pause.toNanos() > deadline) {
                    throw new IllegalStateException("cannot create the topics: " + problem, e);
                }
                LOG.warnf("cannot create the topics yet (%s); retrying in %d ms", e.getMessage(), pause.toMillis());
                if (!Backoff.sleep(pause)) throw new IllegalStateException("interrupted while creating the topics");
            }
        }
    }

    public boolean done() {
        return done;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka-topics")
                .status(done)
                .withData("detail", done ? "all topics exist" : String.valueOf(problem))
                .build();
    }
}
