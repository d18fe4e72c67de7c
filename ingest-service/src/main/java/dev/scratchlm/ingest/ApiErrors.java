package dev.scratchlm.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.plan.BadSourceException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every error as JSON: {@code {"error": "...", "detail": ...}} with a status that says whose fault it is. */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    public static Response error(int status, String error, Object detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("detail", detail);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    @ServerExceptionMapper
    public Response badSource(BadSourceException e) {
        return error(e.status(), e.error(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return error(400, "malformed JSON", e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response r = e.getResponse();
        String reason = r.getStatusInfo().getReasonPhrase();
        return error(r.getStatus(), reason == null ? "request failed" : reason.toLowerCase(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response catalog(CatalogRepository.CatalogException e) {
        LOG.warn("catalog unavailable", e);
        return error(503, "catalog unavailable", e.getMessage());
    }

    /** The broker is away (publishing a source's tasks): try again later; the source is stored and resent on restart. */
    @ServerExceptionMapper
    public Response broker(org.apache.kafka.common.KafkaException e) {
        LOG.warn("Kafka unavailable", e);
        return error(503, "broker unavailable", "the source is stored; its tasks are published as soon as Kafka answers again");
    }

    /** A bug: the detail goes to the log, not to the client. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return error(500, "internal error", "see the service log");
    }
}
