package dev.scratchlm.chat;

import dev.scratchlm.bundle.ModelCard;
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
        LoadedModel m = models.resolve(id);
        // The live card leaves the data's sources out (reading them means scanning the document topics): the export has
        // them.
        return ModelCard.of(m.manifest, models::manifest, m.config, m.tokenizer, m.tokenizerRecord, null);
    }

    /** Every checkpoint this replica has seen: loaded, waiting for a tokenizer, known only, or rejected and why. */
    @GET
    @Path("/status")
    public Map<String, Object> status() {
        return models.status();
    }
}
