package dev.scratchlm.service;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request whose declared body is over the service's limit ({@code quarkus.http.limits.max-body-size}) is refused
 * before a byte of it is read, with a JSON error naming the limit (Quarkus' own refusal is a bare 413). A chunked
 * body, which declares no length, is still cut off by Quarkus' limit while it is read.
 */
@Singleton
public class BodyLimitRoute {
    /** The first route of every service. */
    public static final int ORDER = Integer.MIN_VALUE;

    void install(
            @Observes Router router,
            ErrorShape shape,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        router.route().order(ORDER).handler(handler(max.asLongValue(), shape));
    }

    /** Answers 413 when the declared body is over {@code limit}, and passes every other request on. */
    public static Handler<RoutingContext> handler(long limit, ErrorShape shape) {
        return ctx -> {
            String refusal = refusal(ctx.request().getHeader("Content-Length"), limit);
            if (refusal == null) {
                ctx.next();
            } else {
                Guards.end(
                        ctx, 413, new ErrorBody(refusal, "too_large", null, java.util.Map.of("limit", limit)), shape);
            }
        };
    }

    /** @return why a request declaring this {@code Content-Length} is refused, or null when it may go on */
    public static String refusal(String contentLength, long limit) {
        if (contentLength == null
                || contentLength.isEmpty()
                || !contentLength.chars().allMatch(Character::isDigit)) {
            return null; // absent or malformed: the HTTP layer deals with it
        }
        boolean over = contentLength.length() > 18 || Long.parseLong(contentLength) > limit;
        return over ? "the request body is " + contentLength + " bytes; the limit is " + limit + " bytes" : null;
    }
}
