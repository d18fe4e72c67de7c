package dev.scratchlm.service;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The second route of every service (after {@link BodyLimitRoute}), before any body is read:
 * <ol>
 *   <li>a request that changes state ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) sent by a page of
 *       another site is refused with 403: {@code Sec-Fetch-Site: cross-site}, or an {@code Origin} that is not this
 *       service's own (nor one of {@code scratchlm.http.allowed-origins}). Requests without these headers (curl, the
 *       services' clients) pass: only browsers send them, and every current browser does;</li>
 *   <li>with tokens configured, the configured methods under the configured paths need
 *       {@code Authorization: Bearer <token>} (compared in constant time), else 401.</li>
 * </ol>
 * Together with {@link DeclaredContentType} (a state change needs its declared content type, so a page cannot send
 * one as a form or text/plain without a CORS preflight, which these services never allow), a web page a developer
 * visits cannot change a service's state.
 */
@Singleton
public class RequestGuard {
    private static final Logger LOG = Logger.getLogger(RequestGuard.class);
    public static final int ORDER = BodyLimitRoute.ORDER + 1;
    static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final List<byte[]> tokens;
    private final List<String> tokenPaths;
    private final Set<String> tokenMethods;
    private final List<String> openPaths;
    private final Set<String> allowedOrigins;

    @Inject
    ErrorShape shape;

    @ConfigProperty(name = "quarkus.application.name", defaultValue = "service")
    String service;

    @Inject
    public RequestGuard(GuardConfig config) {
        this(
                config.tokens().orElse(List.of()),
                config.tokenPaths(),
                config.tokenMethods(),
                config.openPaths().orElse(List.of()),
                config.allowedOrigins().orElse(List.of()));
    }

    RequestGuard(
            List<String> tokens,
            List<String> tokenPaths,
            List<String> tokenMethods,
            List<String> openPaths,
            List<String> allowedOrigins) {
        this.tokens = tokens.stream()
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .map(t -> t.getBytes(StandardCharsets.UTF_8))
                .toList();
        this.tokenPaths =
                tokenPaths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
        this.tokenMethods = Set.copyOf(tokenMethods.stream()
                .map(m -> m.trim().toUpperCase(Locale.ROOT))
                .toList());
        this.openPaths = openPaths.stream().map(String::trim).toList();
        this.allowedOrigins = Set.copyOf(
                allowedOrigins.stream().map(RequestGuard::normalizeOrigin).toList());
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    void warnWhenOpen(@Observes StartupEvent event) {
        String warning = openWarning();
        if (warning != null) LOG.warn(warning);
    }

    /** @return what start-up says when no tokens are configured, or null when they are */
    String openWarning() {
        if (!tokens.isEmpty()) return null;
        return service + ": NO TOKENS CONFIGURED (scratchlm.http.tokens): "
                + String.join("/", new java.util.TreeSet<>(tokenMethods))
                + " requests under " + String.join(", ", tokenPaths)
                + " are OPEN to anyone who can reach this port. Set the "
                + "service's token variable before exposing it beyond this machine.";
    }

    public boolean tokensRequired() {
        return !tokens.isEmpty();
    }

    void check(RoutingContext ctx) {
        HttpServerRequest r = ctx.request();
        String method = r.method().name();
        if (STATE_CHANGING.contains(method)) {
            String refusal = crossSite(r.getHeader("Sec-Fetch-Site"), r.getHeader("Origin"), host(r), r.isSSL());
            if (refusal != null) {
                Guards.end(ctx, 403, ErrorBody.of(refusal, "cross_site"), shape);
                return;
            }
        }
        String refusal = tokenRefusal(method, ctx.normalizedPath(), r.getHeader("Authorization"));
        if (refusal != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            Guards.end(
                    ctx,
                    401,
                    ErrorBody.of(refusal, r.getHeader("Authorization") == null ? "missing_token" : "invalid_token"),
                    shape);
            return;
        }
        ctx.next();
    }

    /** @return why this request is refused as sent by another site's page, or null */
    String crossSite(String secFetchSite, String origin, String host, boolean tls) {
        if (secFetchSite != null && secFetchSite.trim().equalsIgnoreCase("cross-site")) {
            return "refused: this request comes from another site's page (Sec-Fetch-Site: cross-site)";
        }
        if (origin == null) return null;
        String o = normalizeOrigin(origin);
        if (allowedOrigins.contains(o) || sameHost(o, host, tls)) return null;
        return "refused: a page from " + (o.equals("null") ? "an opaque origin" : o)
                + " may not change this service's state (Origin does not match Host)";
    }

    /** @return why this request needs a (valid) token, or null when it may go on */
    String tokenRefusal(String method, String path, String authorization) {
        if (tokens.isEmpty() || method.equals("OPTIONS")) return null;
        String m = method.equals("HEAD") ? "GET" : method;
        if (!tokenMethods.contains(m)) return null;
        String p = path == null ? "/" : path.startsWith("/") ? path : "/" + path;
        if (tokenPaths.stream().noneMatch(p::startsWith) || openPaths.contains(p)) return null;
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "this request needs a token: send Authorization: Bearer <token>";
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] token : tokens) ok |= MessageDigest.isEqual(token, given); // constant time, every token compared
        return ok ? null : "the token is not valid";
    }

    private static String host(HttpServerRequest r) {
        String h = r.getHeader("Host");
        if (h == null && r.authority() != null) h = r.authority().toString();
        return h;
    }

    /** Origin {@code scheme://host[:port]} against the {@code Host} the request was sent to, default ports filled in. */
    static boolean sameHost(String origin, String host, boolean tls) {
        if (host == null || origin.equals("null")) return false;
        URI o;
        try {
            o = URI.create(origin);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (o.getHost() == null || o.getScheme() == null) return false;
        int originPort = o.getPort() != -1 ? o.getPort() : o.getScheme().equals("https") ? 443 : 80;
        String h = host.trim().toLowerCase(Locale.ROOT);
        String hostName = h;
        int hostPort = tls ? 443 : 80;
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            hostName = h.substring(0, colon);
            try {
                hostPort = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return o.getHost().toLowerCase(Locale.ROOT).equals(hostName) && originPort == hostPort;
    }

    private static String normalizeOrigin(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
