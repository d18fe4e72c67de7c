package dev.scratchlm.trainer;

import dev.scratchlm.service.ApiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
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

    /**
     * @param from      exclusive lower date bound (null: no lower bound)
     * @param to        inclusive upper date bound (null: no upper bound)
     * @param maxTokens score about this many tokens at most, documents spread over the range (default 200000)
     */
    public record EvaluateRequest(String from, String to, Long maxTokens) {}

    /**
     * The checkpoint's bytes-normalized loss on the held-out (val split) documents dated in {@code (from, to]}: the
     * split is by a hash of the document id, so no model trained on these shards has seen them.
     */
    @POST
    @Path("{id}/evaluate")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> evaluate(@PathParam("id") String id, EvaluateRequest r) throws IOException {
        if (r == null) throw ApiError.badRequest("a JSON body {\"from\": date or null, \"to\": date or null} is required");
        LocalDate from = date("from", r.from()), to = date("to", r.to());
        if (from != null && to != null && !to.isAfter(from)) throw ApiError.badRequest("to (" + to + ") must be after from (" + from + ")");
        long maxTokens = r.maxTokens() == null ? 200_000 : r.maxTokens();
        if (maxTokens < 1 || maxTokens > 50_000_000) throw ApiError.badRequest("maxTokens must be in 1..50000000");
        CheckpointRepository.CheckpointRow c = trainer.checkpoints().find(id).orElseThrow(() -> ApiError.notFound("no checkpoint " + id));
        ShardStore.Stats stats = trainer.store().stats(c.tokenizerId());
        if (stats == null) throw ApiError.badRequest("no shards of tokenizer " + c.tokenizerId() + " in this trainer's store");
        DocumentSelection sel;
        try {
            sel = DocumentSelection.capped(trainer.store().entries(c.tokenizerId(), TokenShard.VAL, stats.valTokens()), from, to, maxTokens);
        } catch (DocumentSelection.UndatedShards e) {
            throw ApiError.badRequest(e.getMessage());
        }
        if (sel.tokens() < 2) {
            throw ApiError.badRequest("no held-out documents dated in (" + (from == null ? "-inf" : from) + ", "
                    + (to == null ? "+inf" : to) + "] for tokenizer " + c.tokenizerId());
        }
        Checkpoint cp;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(java.nio.file.Path.of(c.path())), 1 << 16)) {
            cp = Checkpoint.readWeightsOnly(in);
        }
        Gpt model = cp.toModel(8);
        TokenView view = trainer.store().view(c.tokenizerId(), TokenShard.VAL, stats.valTokens()).restrict(sel.starts(), sel.lengths());
        long start = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checkpointId", id);
        out.put("split", TokenShard.VAL);
        out.put("from", from == null ? null : from.toString());
        out.put("to", to == null ? null : to.toString());
        out.putAll(DateRangeLoss.measure(model, view, sel));
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        return out;
    }

    private static LocalDate date(String name, String value) {
        if (value == null) return null;
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " '" + value + "' is not an ISO date (yyyy-mm-dd)");
        }
    }
}
