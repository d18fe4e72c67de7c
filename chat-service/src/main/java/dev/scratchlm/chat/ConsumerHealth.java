package dev.scratchlm.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the checkpoint history has been read (the models it implies are loaded) and the reader still runs. */
@Readiness
@ApplicationScoped
public class ConsumerHealth implements HealthCheck {
    @Inject
    CheckpointConsumer consumer;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("checkpoints")
                .status(consumer.running() && consumer.caughtUp())
                .withData("running", consumer.running())
                .withData("caughtUp", consumer.caughtUp())
                .build();
    }
}
