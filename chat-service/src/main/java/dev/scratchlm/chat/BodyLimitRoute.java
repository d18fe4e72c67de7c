package dev.scratchlm.chat;

import dev.scratchlm.contracts.BodyLimit;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body over the service-wide limit is refused up front in OpenAI's error shape (the completion routes have their
 * own, smaller limit).
 */
@Singleton
public class BodyLimitRoute {
    void install(@Observes Router router,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        BodyLimit.install(router, max.asLongValue(),
                refusal -> new ApiError(413, "invalid_request_error", null, "request_too_large",
                        Character.toUpperCase(refusal.charAt(0)) + refusal.substring(1) + ".").toJson());
    }
}
