package dev.scratchlm.trainer;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * The instruction examples this trainer has stored from the {@code instructions} topic, per dataset and split: what
 * an sft job would train and evaluate on if started now.
 */
@Path("/api/instructions")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InstructionResource {
    @Inject
    TrainerService trainer;

    /** {@code {dataset: {train: n, heldout: m, formats: "e2e"}}} */
    @GET
    public Map<String, Map<String, Object>> counts() {
        return trainer.instructions().counts();
    }
}
