package dev.scratchlm.chat;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.logging.Level;
import java.util.logging.Logger;

/** JAX-RS errors in OpenAI's shape, so every endpoint of this service fails the same way. */
public class ApiErrorMapper {
    private static final Logger LOG = Logger.getLogger(ApiErrorMapper.class.getName());

    @ServerExceptionMapper
    public Response apiError(ApiError e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.toJson()).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        String type = status < 500 ? "invalid_request_error" : "server_error";
        String where = request.getMethod() + " /" + uri.getPath().replaceFirst("^/", "");
        String message = switch (status) {
            case 404 -> "Unknown endpoint: " + where + ". See GET /v1/models, POST /v1/chat/completions, POST /v1/completions.";
            case 405 -> "Method not allowed: " + where + ".";
            case 415 -> "Send the request body as application/json.";
            default -> e.getMessage();
        };
        return apiError(new ApiError(status, type, null, status == 404 ? "unknown_url" : null, message));
    }

    /** Anything else is our fault: a 500 in the same shape, with the detail in the log rather than the response. */
    @ServerExceptionMapper
    public Response bug(RuntimeException e) {
        LOG.log(Level.SEVERE, "request failed", e);
        return apiError(new ApiError(500, "server_error", null, "internal_error", "Internal error; see the service log."));
    }

    @ServerExceptionMapper
    public Response unexpected(IllegalStateException e) {
        LOG.log(Level.WARNING, "request failed", e);
        return apiError(new ApiError(503, "server_error", null, "unavailable", e.getMessage()));
    }
}
