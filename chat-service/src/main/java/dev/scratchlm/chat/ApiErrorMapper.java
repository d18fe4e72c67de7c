package dev.scratchlm.chat;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String type = status < 500 ? "invalid_request_error" : "server_error";
        return apiError(new ApiError(status, type, null, null, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(IllegalStateException e) {
        LOG.log(Level.WARNING, "request failed", e);
        return apiError(new ApiError(503, "server_error", null, "unavailable", e.getMessage()));
    }
}
