package dev.scratchlm.chat;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Optional API keys ({@code CHAT_API_KEYS}, comma-separated; empty = open): every {@code /v1} and {@code /api} call
 * must then carry {@code Authorization: Bearer <key>}, or gets a 401 in OpenAI's error shape.
 */
@ApplicationScoped
public class ApiKeys {
    private final List<byte[]> keys;

    public ApiKeys(@ConfigProperty(name = "chat.api-keys") Optional<String> configured) {
        this.keys = Arrays.stream(configured.orElse("").split(",")).map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public boolean enabled() {
        return !keys.isEmpty();
    }

    /** A route handler: passes the request on, or ends it with 401. */
    void check(RoutingContext ctx) {
        if (keys.isEmpty() || ctx.request().method().name().equals("OPTIONS")) {
            ctx.next();
            return;
        }
        String auth = ctx.request().getHeader("Authorization");
        String problem;
        if (auth == null || auth.isBlank()) {
            problem = "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.";
        } else if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            problem = "The Authorization header must be 'Bearer YOUR_KEY'.";
        } else if (!valid(auth.substring(7).trim())) {
            problem = "Incorrect API key provided.";
        } else {
            ctx.next();
            return;
        }
        ApiError e = ApiError.unauthorized(problem);
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                .putHeader("WWW-Authenticate", "Bearer").end(e.toJson());
    }

    private boolean valid(String key) {
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) ok |= MessageDigest.isEqual(k, given); // constant time, and no early exit
        return ok;
    }
}
