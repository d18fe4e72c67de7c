package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.BodyLimit;
import dev.scratchlm.contracts.Json;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/** A body over the limit is refused up front with the JSON error every other bad request gets. */
@Singleton
public class BodyLimitRoute {
    void install(@Observes Router router,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        BodyLimit.install(router, max.asLongValue(),
                refusal -> Json.string(Map.of("error", refusal)));
    }
}
