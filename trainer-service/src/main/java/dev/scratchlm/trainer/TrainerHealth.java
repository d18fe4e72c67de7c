package dev.scratchlm.trainer;

import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Ready and live while the shard consumers and the job runner threads are running (the database has its own check). */
@Readiness
@Liveness
public class TrainerHealth implements HealthCheck {
    @Inject
    TrainerService trainer;

    @Override
    public HealthCheckResponse call() {
        boolean consumers = trainer.consumersAlive();
        boolean runner = trainer.runner() != null && trainer.runner().isAlive();
        return HealthCheckResponse.named("trainer")
                .status(consumers && runner)
                .withData("consumers", consumers)
                .withData("jobRunner", runner)
                .withData(
                        "currentJob",
                        String.valueOf(
                                trainer.runner() == null
                                        ? null
                                        : trainer.runner().currentJob()))
                .build();
    }
}
