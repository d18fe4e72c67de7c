package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.Sampler;
import dev.scratchlm.service.ApiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
import java.util.Set;

/** The checkpoint registry: id, job, stage, step, losses, tokenizer, parent, sha256, size, created. */
@Path("/api/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CheckpointResource {
    @Inject
    TrainerService trainer;

    @GET
    public List<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return trainer.checkpoints().list(Math.max(1, Math.min(limit, 1000))).stream()
                .map(c -> Views.checkpoint(c, false))
                .toList();
    }

    /** One checkpoint with the manifest it was published with (model, lineage, metrics). */
    @GET
    @Path("{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return trainer.checkpoints()
                .find(id)
                .map(c -> Views.checkpoint(c, true))
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
        if (r == null)
            throw ApiError.badRequest("a JSON body {\"from\": date or null, \"to\": date or null} is required");
        LocalDate from = date("from", r.from()), to = date("to", r.to());
        if (from != null && to != null && !to.isAfter(from))
            throw ApiError.badRequest("to (" + to + ") must be after from (" + from + ")");
        long maxTokens = r.maxTokens() == null ? 200_000 : r.maxTokens();
        if (maxTokens < 1 || maxTokens > 50_000_000) throw ApiError.badRequest("maxTokens must be in 1..50000000");
        CheckpointRepository.CheckpointRow c =
                trainer.checkpoints().find(id).orElseThrow(() -> ApiError.notFound("no checkpoint " + id));
        ShardStore.Stats stats = trainer.store().stats(c.tokenizerId());
        if (stats == null)
            throw ApiError.badRequest("no shards of tokenizer " + c.tokenizerId() + " in this trainer's store");
        DocumentSelection sel;
        try {
            sel = DocumentSelection.capped(
                    trainer.store().entries(c.tokenizerId(), TokenShard.VAL, stats.valTokens()), from, to, maxTokens);
        } catch (DocumentSelection.UndatedShards e) {
            throw ApiError.badRequest(e.getMessage());
        }
        if (sel.tokens() < 2) {
            throw ApiError.badRequest("no held-out documents dated in (" + (from == null ? "-inf" : from) + ", "
                    + (to == null ? "+inf" : to) + "] for tokenizer " + c.tokenizerId());
        }
        Gpt model = load(c).toModel(8);
        TokenView view = trainer.store()
                .view(c.tokenizerId(), TokenShard.VAL, stats.valTokens())
                .restrict(sel.starts(), sel.lengths());
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

    /**
     * @param datasets         instruction sets whose heldout E2E examples are asked (default {@code ["e2e"]})
     * @param limit            at most this many MRs, in MR order (default all)
     * @param excludeCampaigns leave out the MRs these campaigns' rankings asked about (what a reward or DPO model of
     *                         them has seen), so the MRs measured are used by no stage
     * @param bestOf           n in 2..16: sample n answers per MR and keep the one {@code rewardModel} scores highest
     *                         (default 1: greedy)
     * @param rewardModel      a reward checkpoint of the same tokenizer, with bestOf
     * @param temperature      sampling temperature with bestOf (default 1.0)
     * @param topP             nucleus with bestOf (default 1.0)
     * @param seed             the sampler's seed with bestOf (default 1)
     */
    public record E2eRequest(
            List<String> datasets,
            Integer limit,
            List<String> excludeCampaigns,
            Integer bestOf,
            String rewardModel,
            Double temperature,
            Double topP,
            Long seed) {}

    /**
     * Greedy answers (or best-of-n under a reward model) of the checkpoint to the held-out E2E MRs in the MR prompt
     * form, with corpus BLEU-4 and slot error: the same measure an sft job reports, for any language model checkpoint.
     */
    @POST
    @Path("{id}/evaluate/e2e")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> evaluateE2e(@PathParam("id") String id, E2eRequest body) throws IOException {
        E2eRequest r = body == null ? new E2eRequest(null, null, null, null, null, null, null, null) : body;
        CheckpointRepository.CheckpointRow c =
                trainer.checkpoints().find(id).orElseThrow(() -> ApiError.notFound("no checkpoint " + id));
        if (JobValidator.REWARD.equals(c.stage()))
            throw ApiError.badRequest(
                    "checkpoint " + id + " is a reward model: it scores answers, it does not write them");
        List<String> datasets = r.datasets() == null || r.datasets().isEmpty() ? List.of(SftData.E2E) : r.datasets();
        int limit = r.limit() == null ? Integer.MAX_VALUE : r.limit();
        if (limit < 1) throw ApiError.badRequest("limit must be at least 1");
        int n = r.bestOf() == null ? 1 : r.bestOf();
        if (n < 1 || n > 16) throw ApiError.badRequest("bestOf must be in 1..16, got " + n);
        if ((n > 1) != (r.rewardModel() != null))
            throw ApiError.badRequest("bestOf above 1 and rewardModel go together: the reward model picks the best");
        String def = trainer.tokenizers()
                .definition(c.tokenizerId())
                .orElseThrow(() -> ApiError.badRequest(
                        "tokenizer " + c.tokenizerId() + " of the checkpoint has not arrived here whole"));
        ChatTemplate template;
        try {
            template = new ChatTemplate(ScratchFormat.fromText(def));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(
                    "tokenizer " + c.tokenizerId() + " cannot render chat prompts: " + e.getMessage());
        }
        List<InstructionExample> examples = trainer.instructions().examples(datasets);
        Set<String> exclude = Set.of();
        if (r.excludeCampaigns() != null && !r.excludeCampaigns().isEmpty()) {
            List<Ranking> rankings = trainer.rankings().read(trainer.rankings().endOffsets()).rankings().stream()
                    .filter(k -> r.excludeCampaigns().contains(k.campaignId()))
                    .toList();
            for (String campaign : r.excludeCampaigns()) {
                if (rankings.stream().noneMatch(k -> campaign.equals(k.campaignId()))) {
                    throw ApiError.badRequest("no rankings of campaign " + campaign + " on the rankings topic");
                }
            }
            exclude = E2eEvaluation.mrsAskedIn(
                    rankings.stream().map(Ranking::prompt).toList(), examples);
        }
        List<InstructionExample> heldout = examples.stream()
                .filter(e -> InstructionExample.HELDOUT.equals(e.split()))
                .toList();
        E2eEvaluation.HeldOut held = E2eEvaluation.heldout(heldout, exclude, limit);
        if (held.size() == 0)
            throw ApiError.badRequest("no held-out E2E MRs in " + datasets
                    + (exclude.isEmpty() ? "" : " outside the excluded campaigns"));
        E2eEvaluation.BestOf bestOf = null;
        if (n > 1) {
            CheckpointRepository.CheckpointRow rm = trainer.checkpoints()
                    .find(r.rewardModel())
                    .orElseThrow(() -> ApiError.badRequest("no checkpoint " + r.rewardModel()));
            if (!JobValidator.REWARD.equals(rm.stage()))
                throw ApiError.badRequest("checkpoint " + rm.id() + " is not a reward model");
            if (!rm.tokenizerId().equals(c.tokenizerId())) {
                throw ApiError.badRequest("reward model " + rm.id() + " reads tokenizer " + rm.tokenizerId()
                        + ", the checkpoint writes " + c.tokenizerId());
            }
            float t = r.temperature() == null ? 1f : r.temperature().floatValue(),
                    p = r.topP() == null ? 1f : r.topP().floatValue();
            if (!(t > 0f && t <= 2f) || !(p > 0f && p <= 1f))
                throw ApiError.badRequest("temperature must be in (0, 2] and topP in (0, 1]");
            bestOf = new E2eEvaluation.BestOf(
                    n, load(rm).toModel(4), new Sampler.Settings(t, 0, p, 0), r.seed() == null ? 1 : r.seed());
        }
        long start = System.nanoTime();
        E2eEvaluation.Result res = E2eEvaluation.run(load(c).toModel(8), template, held, bestOf);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checkpointId", id);
        out.put("stage", c.stage());
        out.put("mrs", held.size());
        out.put("excludedMrs", exclude.size());
        out.put("bleu", res.bleu());
        out.put("slotError", res.slotError());
        out.put("errorsBySlot", E2eEvaluation.errorsBySlot(held.mrs(), res.outputs()));
        out.put("bestOf", n);
        if (bestOf != null) {
            out.put("rewardModel", r.rewardModel());
            out.put("sampledBleu", res.sampledBleu());
            out.put("sampledSlotError", res.sampledSlotError());
            double mean = 0;
            for (float x : res.rewards()) mean += x / res.rewards().length;
            out.put("meanReward", mean);
        }
        List<Map<String, Object>> samples = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(5, held.size()); i++) {
            samples.add(Map.of(
                    "mr",
                    held.mrs().get(i),
                    "output",
                    res.outputs().get(i),
                    "reference",
                    held.refs().get(i).get(0)));
        }
        out.put("samples", samples);
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        return out;
    }

    private static Checkpoint load(CheckpointRepository.CheckpointRow c) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(java.nio.file.Path.of(c.path())), 1 << 16)) {
            return Checkpoint.readWeightsOnly(in);
        }
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
