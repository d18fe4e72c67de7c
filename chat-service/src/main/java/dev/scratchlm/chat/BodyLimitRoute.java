package dev.scratchlm.chat;

import dev.scratchlm.contracts.BodyLimit;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** A body over the service-wide limit is refused up front in OpenAI's error shape (the completion routes have their own, smaller limit). */
@Singleton
public class BodyLimitRoute {
    void install(@Observes Router router,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        long limit = max.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String refusal = BodyLimit.refusal(ctx.request().getHeader("Content-Length"), limit);
            if (refusal == null) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                    .end(new ApiError(413, "invalid_request_error", null, "request_too_large", Character.toUpperCase(refusal.charAt(0)) + refusal.substring(1) + ".").toJson());
        });
    }
}
