package dev.scratchlm.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
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

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = status == 404 ? "no such endpoint" : status == 405 ? "method not allowed here"
                : status == 415 ? "send the request body as application/json" : e.getMessage();
        return json(status, Map.of("error", message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return json(500, Map.of("error", "internal error: " + e.getMessage()));
    }

    private static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
