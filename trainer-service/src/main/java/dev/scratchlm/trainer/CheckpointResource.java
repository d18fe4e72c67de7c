package dev.scratchlm.trainer;

import dev.scratchlm.service.ApiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/** The checkpoint registry: id, job, stage, step, losses, tokenizer, parent, sha256, size, created. */
@Path("/api/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CheckpointResource {
    @Inject
    TrainerService trainer;

    @GET
    public List<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return trainer.checkpoints().list(Math.max(1, Math.min(limit, 1000))).stream().map(c -> Views.checkpoint(c, false)).toList();
    }

    /** One checkpoint with the manifest it was published with (model, lineage, metrics). */
    @GET
    @Path("{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return trainer.checkpoints().find(id).map(c -> Views.checkpoint(c, true))
                .orElseThrow(() -> ApiError.notFound("no checkpoint " + id));
    }
}
