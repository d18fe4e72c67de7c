package dev.scratchlm.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** Every error leaves as JSON {@code {"error": "..."}}: client mistakes as 4xx, never a bare 500 page. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiError e) {
        return json(e.status(), e.body());
    }

    /** Malformed JSON, or a field of the wrong type. */
    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return json(400, Map.of("error", "the request body is not valid JSON for this endpoint: " + e.getOriginalMessage()));
    }

    /** A field of the wrong type ("vocabSize": "many"): named, instead of Quarkus' default field dump. */
    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse("body");
        return json(400, Map.of("error", "the request body is not valid JSON for this endpoint: " + field + " has the wrong type",
                "field", field));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof MismatchedInputException m) return wrongType(m);
            if (c instanceof JsonProcessingException j) return badJson(j);
        }
        String message = status == 404 ? "no such endpoint" : status == 405 ? "method not allowed here"
                : status == 415 ? "send the request body as application/json" : e.getMessage();
        return json(status, Map.of("error", message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return json(500, Map.of("error", "internal error; see the service log")); // no internals to the client
    }

    private static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
