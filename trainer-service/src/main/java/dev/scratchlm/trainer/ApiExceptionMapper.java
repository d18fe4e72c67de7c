package dev.scratchlm.trainer;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/** Client mistakes become 4xx JSON bodies that say what is wrong. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
    @Override
    public Response toResponse(ApiException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body()).build();
    }

    /** Framework-level refusals (unknown path, wrong method or media type) get a JSON body too. */
    @Provider
    public static class WebErrors implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            String reason = e.getResponse().getStatusInfo().getReasonPhrase();
            return Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", e.getMessage() == null ? reason : e.getMessage())).build();
        }
    }
}
