package dev.scratchlm.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while every task worker runs: a replica whose workers have ended takes no work, so it should be restarted. */
@Liveness
@ApplicationScoped
public class WorkerHealth implements HealthCheck {
    @Inject
    IngestWorkers workers;

    @Override
    public HealthCheckResponse call() {
        long alive = workers.aliveWorkers();
        return HealthCheckResponse.named("task-workers")
                .status(alive == workers.configuredWorkers())
                .withData("alive", alive)
                .withData("configured", workers.configuredWorkers())
                .build();
    }
}
