package dev.scratchlm.chat;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} in OpenAI's shape, plus ScratchLM's fields: each loaded checkpoint (id = checkpoint id)
 * and each stage alias ({@code pretrain}, {@code sft}, {@code rlhf}: the newest loaded checkpoint of that stage,
 * with {@code alias_of} naming it).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    @Inject
    ModelRegistry models;

    @GET
    public Map<String, Object> list() {
        ModelRegistry.Snapshot now = models.snapshot();
        List<Map<String, Object>> data = new ArrayList<>();
        for (LoadedModel m : now.loaded()) data.add(entry(m.id, m, null));
        now.aliases().forEach((stage, m) -> data.add(entry(stage, m, m.id)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        return out;
    }

    @GET
    @Path("{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        LoadedModel m = models.resolve(id);
        return entry(id, m, id.equals(m.id) ? null : m.id);
    }

    static Map<String, Object> entry(String name, LoadedModel m, String aliasOf) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", name);
        e.put("object", "model");
        e.put("created", m.created);
        e.put("owned_by", "scratchlm");
        e.put("stage", m.stage());
        e.put("step", m.step());
        e.put("checkpoint", m.id);
        if (aliasOf != null) e.put("alias_of", aliasOf);
        e.put("context_length", m.blockSize());
        e.put("parameters", m.parameterCount);
        e.put("chat", m.template != null);
        return e;
    }
}
