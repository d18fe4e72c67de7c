package dev.scratchlm.ingest;

import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.service.ApiError;
import dev.scratchlm.service.ErrorMappers;
import dev.scratchlm.service.ErrorShape;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The outages particular to ingest, as 503s in the services' one error body (the rest is service-common's
 * {@link ErrorMappers}). The detail (SQL, broker addresses) goes to the log only.
 */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    @Inject
    ErrorShape shape;

    @ServerExceptionMapper
    public Response catalog(CatalogRepository.CatalogException e) {
        LOG.warn("catalog unavailable", e);
        return ErrorMappers.response(
                shape, ApiError.unavailable("the catalog database is unavailable; try again shortly"));
    }

    /** The broker is away (publishing a source's tasks): try again later; the source is stored and resent on restart. */
    @ServerExceptionMapper
    public Response broker(org.apache.kafka.common.KafkaException e) {
        LOG.warn("Kafka unavailable", e);
        return ErrorMappers.response(
                shape,
                ApiError.unavailable(
                        "the broker is unavailable; the source is stored and its tasks are published as soon as Kafka answers again"));
    }
}
