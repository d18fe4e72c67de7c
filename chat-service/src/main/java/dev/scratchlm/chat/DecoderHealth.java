package dev.scratchlm.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down while a loaded model has no running decode thread (it died and its replacement could not be built); the
 * data name every model whose decoder ever died, how often, and the last failure.
 */
@Readiness
@ApplicationScoped
public class DecoderHealth implements HealthCheck {
    @Inject
    ModelRegistry registry;

    @Override
    public HealthCheckResponse call() {
        boolean up = true;
        HealthCheckResponseBuilder b = HealthCheckResponse.named("decoders");
        for (LoadedModel m : registry.loaded()) {
            boolean alive = m.decoderAlive();
            up &= alive;
            if (!alive || m.decoderRestarts() > 0) {
                b.withData(
                        m.id,
                        (alive ? "running" : "dead") + ", restarts " + m.decoderRestarts() + ", last failure: "
                                + m.lastDecoderFailure());
            }
        }
        return b.status(up).build();
    }
}
