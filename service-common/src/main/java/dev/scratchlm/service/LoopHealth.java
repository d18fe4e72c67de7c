package dev.scratchlm.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of a service's background loops: down while one of them is not running, or is retrying a failure (its
 * {@link BackgroundLoop#lastError()} is in the data, so {@code /q/health/ready} says what is wrong). Services
 * {@link #register} the loops they start.
 */
// @Default as well: @Readiness is a qualifier, and services inject this bean.
@Readiness
@Default
@ApplicationScoped
public class LoopHealth implements HealthCheck {
    private final Map<String, BackgroundLoop> loops = new ConcurrentSkipListMap<>();

    public void register(BackgroundLoop loop) {
        loops.put(loop.name(), loop);
    }

    public void register(ConsumerLoop loop) {
        register(loop.loop());
    }

    public void unregister(BackgroundLoop loop) {
        loops.remove(loop.name(), loop);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("background-loops");
        boolean up = true;
        for (BackgroundLoop l : loops.values()) {
            String error = l.lastError();
            boolean ok = l.alive() && error == null;
            up &= ok;
            b.withData(l.name(), ok ? "running" : !l.alive() ? "stopped" + (error == null ? "" : ": " + error) : error);
        }
        return b.status(up).build();
    }
}
