package dev.scratchlm.chat;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** {@code GET /api/models/{id}/card}: the model card of a loaded checkpoint or stage alias. */
@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelCardResource {
    @Inject
    ModelRegistry models;

    @GET
    @Path("{id}/card")
    public Map<String, Object> card(@PathParam("id") String id) {
        return ModelCard.of(models.resolve(id), models::manifest);
    }

    /** Every checkpoint this replica has seen: loaded, waiting for a tokenizer, known only, or rejected and why. */
    @GET
    @Path("/status")
    public Map<String, Object> status() {
        return models.status();
    }
}
