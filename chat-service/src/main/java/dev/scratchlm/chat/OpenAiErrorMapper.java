package dev.scratchlm.chat;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * This service's own refusals in OpenAI's shape. Framework refusals (404, 405, 415, bad JSON) and bugs (a 500 with the
 * detail in the log) are service-common's {@code ErrorMappers}, written in this shape by {@link OpenAiErrors}.
 */
public class OpenAiErrorMapper {
    private static final Logger LOG = Logger.getLogger(OpenAiErrorMapper.class.getName());

    @ServerExceptionMapper
    public Response apiError(OpenAiError e) {
        return Response.status(e.status())
                .type(MediaType.APPLICATION_JSON)
                .entity(e.toJson())
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(IllegalStateException e) {
        LOG.log(Level.WARNING, "request failed", e);
        return apiError(new OpenAiError(503, "server_error", null, "unavailable", e.getMessage()));
    }
}
