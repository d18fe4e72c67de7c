package dev.scratchlm.service;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of a JAX-RS endpoint leaves in the service's {@link ErrorShape}: {@link ApiError} with its status,
 * framework refusals (404, 405, 415, a body that is not JSON) with theirs, and anything else as a 500 whose body
 * says only that it is our fault. The detail of a 5xx (exception text, SQL, file paths) goes to the log, never to
 * the client.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @Inject
    ErrorShape shape;

    @ServerExceptionMapper
    public Response api(ApiError e) {
        return respond(e.status(), e.body());
    }

    /** A body that is not JSON, or JSON of the wrong shape for the endpoint. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return respond(400, badJson(e));
    }

    /** A field of the wrong type ({@code "size": "big"}): named, instead of Quarkus' built-in dump of the field. */
    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        return respond(400, badJson(e));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException j) return respond(400, badJson(j));
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) return unexpected(e);
        String where = request.getMethod() + " /" + uri.getPath().replaceFirst("^/", "");
        ErrorBody body = switch (status) {
            case 404 -> ErrorBody.of("no such endpoint: " + where, "not_found");
            case 405 -> ErrorBody.of("method not allowed: " + where, "method_not_allowed");
            case 406 ->
                ErrorBody.of("this endpoint cannot answer in the media type asked for (Accept)", "not_acceptable");
            case 415 ->
                ErrorBody.of(
                        "this endpoint does not take a body of this Content-Type; send application/json",
                        "unsupported_media_type");
            default -> ErrorBody.of(clientMessage(e, status), "bad_request");
        };
        return respond(status, body);
    }

    /** Anything else is a bug or an outage: a plain 500, the detail in the log. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("request failed", e);
        return respond(500, ErrorBody.of("internal error; see the service log", "internal_error"));
    }

    private Response respond(int status, ErrorBody body) {
        return response(shape, status, body);
    }

    /** For a service's own mappers (e.g. an outage of its database as 503). */
    public static Response response(ErrorShape shape, ApiError e) {
        return response(shape, e.status(), e.body());
    }

    public static Response response(ErrorShape shape, int status, ErrorBody body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(shape.json(status, body))
                .build();
    }

    /** Says where the body is wrong without echoing Jackson's class names. */
    static ErrorBody badJson(JsonProcessingException e) {
        if (e instanceof JsonParseException p) {
            String at = p.getLocation() == null
                    ? ""
                    : " (line " + p.getLocation().getLineNr() + ", column "
                            + p.getLocation().getColumnNr() + ")";
            return ErrorBody.of("the request body is not valid JSON" + at, "malformed_json");
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                    .orElse("body");
            return new ErrorBody(
                    "the request body is not valid JSON for this endpoint: " + field + " has the wrong type or shape",
                    "invalid_json",
                    field,
                    null);
        }
        return ErrorBody.of("the request body is not valid JSON for this endpoint", "invalid_json");
    }

    /** A message the application wrote into a 4xx {@link WebApplicationException}, else the status' reason. */
    private static String clientMessage(WebApplicationException e, int status) {
        String m = e.getMessage();
        if (m != null && !m.isBlank() && !m.startsWith("HTTP ")) return m;
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return reason == null ? "request refused (HTTP " + status + ")" : reason.toLowerCase();
    }
}
