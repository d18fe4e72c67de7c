package dev.scratchlm.contracts;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * A request whose declared body is over a service's limit ({@code quarkus.http.limits.max-body-size}) is refused
 * before a byte of it is read, with a JSON error naming the limit; each service installs this as its first route
 * and writes the message in its own error shape (Quarkus' own refusal is a bare 413).
 */
public final class BodyLimit {
    private BodyLimit() {}

    /**
     * Installs {@link #handler} as a service's first route. (A chunked body, which declares no length, is still cut
     * off by Quarkus' own limit while it is read, with a bare 413.)
     */
    public static void install(Router router, long limit, Function<String, String> errorJson) {
        router.route().order(Integer.MIN_VALUE).handler(handler(limit, errorJson));
    }

    /**
     * The first route of a service: answers 413 with {@code errorJson.apply(reason)} when the declared body is over
     * {@code limit}, and passes every other request on.
     */
    public static Handler<RoutingContext> handler(long limit, Function<String, String> errorJson) {
        return ctx -> {
            String refusal = refusal(ctx.request().getHeader("Content-Length"), limit);
            if (refusal == null) {
                ctx.next();
            } else {
                ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(errorJson.apply(refusal));
            }
        };
    }

    /** @return why a request declaring this {@code Content-Length} is refused, or null when it may go on */
    public static String refusal(String contentLength, long limit) {
        if (contentLength == null || contentLength.isEmpty() || !contentLength.chars().allMatch(Character::isDigit)) {
            return null; // absent or malformed: the HTTP layer deals with it
        }
        boolean over = contentLength.length() > 18 || Long.parseLong(contentLength) > limit;
        return over ? "the request body is " + contentLength + " bytes; the limit is " + limit + " bytes" : null;
    }
}
