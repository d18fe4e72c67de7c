package dev.scratchlm.service;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request that changes state must carry the Content-Type its endpoint declares ({@code @Consumes}; none or
 * {@code *}{@code /*} means {@code application/json}), even when it has no body: a browser sends
 * {@code multipart/form-data}, {@code application/x-www-form-urlencoded}, {@code text/plain} or no body at all to
 * another site without asking first (no CORS preflight), but never {@code application/json}. A refusal is a 415 in
 * the service's error shape, before the body is read. Endpoints that do take a form (ingest's file upload) declare
 * it and rely on {@link RequestGuard}'s cross-site check.
 */
public class DeclaredContentType {
    static final List<String> JSON = List.of(MediaType.APPLICATION_JSON);

    @Inject
    ErrorShape shape;

    @ServerRequestFilter
    public Response check(ContainerRequestContext request, ResourceInfo resource) {
        if (!RequestGuard.STATE_CHANGING.contains(request.getMethod())) return null;
        String refusal = refusal(request.getHeaderString("Content-Type"), declared(resource));
        return refusal == null
                ? null
                : Response.status(415)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(shape.json(415, ErrorBody.of(refusal, "unsupported_media_type")))
                        .build();
    }

    /** The same check for a plain Vert.x route that takes only these types. */
    public static Handler<RoutingContext> route(ErrorShape shape, String... declared) {
        List<String> types = List.of(declared);
        return ctx -> {
            String refusal =
                    RequestGuard.STATE_CHANGING.contains(ctx.request().method().name())
                            ? refusal(ctx.request().getHeader("Content-Type"), types)
                            : null;
            if (refusal == null) ctx.next();
            else Guards.end(ctx, 415, ErrorBody.of(refusal, "unsupported_media_type"), shape);
        };
    }

    static List<String> declared(ResourceInfo resource) {
        Method m = resource == null ? null : resource.getResourceMethod();
        if (m == null) return JSON;
        Consumes c = m.getAnnotation(Consumes.class);
        if (c == null) c = resource.getResourceClass().getAnnotation(Consumes.class);
        if (c == null) return JSON;
        List<String> types = Arrays.stream(c.value())
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .toList();
        return types.isEmpty() || types.contains(MediaType.WILDCARD) ? JSON : types;
    }

    /** @return why a request with this Content-Type is refused by an endpoint taking {@code declared}, or null */
    public static String refusal(String contentType, List<String> declared) {
        String want = String.join(" or ", declared);
        if (contentType == null || contentType.isBlank()) {
            return "send this request with Content-Type: " + want + " (even without a body)";
        }
        MediaType given;
        try {
            given = MediaType.valueOf(contentType.trim());
        } catch (IllegalArgumentException e) {
            return "the Content-Type is not a media type; send " + want;
        }
        for (String d : declared) {
            MediaType t = MediaType.valueOf(d);
            if (t.isCompatible(given) && !given.isWildcardType() && !given.isWildcardSubtype()) return null;
        }
        return "this endpoint takes " + want + ", not " + given.getType() + "/" + given.getSubtype();
    }
}
