package dev.scratchlm.feedback.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.feedback.FeedbackConfig;
import dev.scratchlm.feedback.campaign.CampaignSpec;
import dev.scratchlm.feedback.campaign.CampaignStore;
import dev.scratchlm.feedback.campaign.InstructionPrompts;
import dev.scratchlm.feedback.campaign.RankingStore;
import dev.scratchlm.feedback.judge.Judge;
import dev.scratchlm.feedback.judge.RewardJudge;
import dev.scratchlm.feedback.judge.SlotErrorJudge;
import dev.scratchlm.feedback.quality.CampaignReport;
import dev.scratchlm.feedback.quality.Export;
import dev.scratchlm.feedback.rater.Raters;
import dev.scratchlm.service.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** What admins do (a bearer token under these paths, see application.properties): raters, campaigns, gold, judges, export. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    @Inject
    Raters raters;

    @Inject
    CampaignStore campaigns;

    @Inject
    RankingStore rankings;

    @Inject
    CampaignReport report;

    @Inject
    Export export;

    @Inject
    FeedbackConfig config;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @POST
    @Path("raters")
    public Response createRater(JsonNode body) {
        raters.create(text(body, "name"), text(body, "password"));
        return Response.status(201)
                .entity(Map.of("rater", body.get("name").asText()))
                .build();
    }

    @GET
    @Path("raters")
    public Map<String, Object> raters() {
        return Map.of("raters", raters.names());
    }

    @POST
    @Path("campaigns")
    public Response create(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiError.badRequest("send a campaign as a JSON object");
        CampaignSpec spec = new CampaignSpec(
                text(body, "name"),
                text(body, "model"),
                body.path("k").asInt(4),
                body.path("temperature").asDouble(1.0),
                body.path("topP").asDouble(1.0),
                body.path("maxTokens").asInt(64),
                body.path("overlap").asInt(1),
                body.hasNonNull("guidelines") ? body.get("guidelines").asText() : "",
                body.hasNonNull("judge") ? body.get("judge").asText() : null);
        List<List<ChatMessage>> prompts = Prompts.parse(body);
        if (prompts == null && body.hasNonNull("fromThumbsDown")) {
            int n = body.get("fromThumbsDown").asInt();
            if (n < 1 || n > Prompts.MAX_PROMPTS)
                throw ApiError.invalid("fromThumbsDown", "take 1 to " + Prompts.MAX_PROMPTS + " thumbs-down prompts");
            prompts = campaigns.thumbsDownPrompts(n);
            if (prompts.isEmpty()) throw ApiError.unprocessable("no chat answer has a thumbs-down yet");
        }
        if (prompts == null && body.hasNonNull("fromInstructions")) {
            JsonNode from = body.get("fromInstructions");
            String dataset = from.path("dataset").asText("");
            int n = from.path("limit").asInt(100);
            if (dataset.isBlank())
                throw ApiError.invalid(
                        "fromInstructions", "name the instruction set: {\"dataset\": ..., \"limit\"?: n}");
            if (n < 1 || n > Prompts.MAX_PROMPTS)
                throw ApiError.invalid("fromInstructions", "take 1 to " + Prompts.MAX_PROMPTS + " held-out prompts");
            prompts = InstructionPrompts.heldOut(bootstrap, dataset, n);
            if (prompts.isEmpty())
                throw ApiError.unprocessable(
                        "instruction set '" + dataset + "' has no held-out examples on " + Topics.INSTRUCTIONS);
        }
        if (prompts == null) {
            throw ApiError.invalid(
                    "prompts",
                    "give prompts (a JSON array), promptsJsonl (JSON Lines text), fromThumbsDown (a count)"
                            + " or fromInstructions ({dataset, limit}: held-out instruction examples)");
        }
        CampaignStore.Campaign c = campaigns.create(spec, prompts);
        return Response.status(201)
                .entity(Map.of("campaign", c, "tasks", prompts.size()))
                .build();
    }

    @GET
    @Path("campaigns")
    public Map<String, Object> list() {
        return Map.of("campaigns", campaigns.campaigns());
    }

    @GET
    @Path("campaigns/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return report.report(campaign(id));
    }

    @GET
    @Path("campaigns/{id}/tasks")
    public Map<String, Object> tasks(@PathParam("id") String id) {
        campaign(id);
        return Map.of("tasks", campaigns.tasks(id));
    }

    /** Runs a judge on every ready task of the campaign it has not ranked yet. */
    @POST
    @Path("campaigns/{id}/judge")
    public Map<String, Object> judge(@PathParam("id") String id, JsonNode body) {
        campaign(id);
        String judge = body == null ? null : body.path("judge").asText(null);
        Judge j = switch (judge == null ? "" : judge) {
            case "rule" -> new SlotErrorJudge();
            case "ai" ->
                new RewardJudge(
                        config.chatUrl(),
                        config.chatApiKey().orElse(null),
                        body.path("rewardModel").asText(null));
            default ->
                throw ApiError.invalid(
                        "judge",
                        "the judge is 'rule' (slot error on restaurant prompts) or 'ai' (a reward model"
                                + " loaded in the chat-service; 'rewardModel' names one, else the newest)");
        };
        int[] n = rankings.judge(id, j);
        return Map.of("judge", j.name(), "ranked", n[0], "notItsToJudge", n[1]);
    }

    @GET
    @Path("campaigns/{id}/export")
    @Produces("application/jsonl")
    public Response export(
            @PathParam("id") String id, @QueryParam("format") String format, @QueryParam("source") String source) {
        campaign(id);
        String f = format == null ? "pairs" : format;
        if (!Export.FORMATS.contains(f)) throw ApiError.invalid("format", "format is one of " + Export.FORMATS);
        return Response.ok(export.jsonl(id, f, source), "application/jsonl")
                .header("Content-Disposition", "attachment; filename=\"" + id + "-" + f + ".jsonl\"")
                .build();
    }

    /** Makes a task a gold task with the known ordering. */
    @PUT
    @Path("tasks/{id}/gold")
    public Map<String, Object> gold(@PathParam("id") String id, JsonNode body) {
        if (body == null || !body.has("order"))
            throw ApiError.invalid("order", "send {\"order\": [[best], [next], ...]}");
        List<List<Integer>> order;
        try {
            order = CampaignStore.read(body.get("order").toString(), CampaignStore.GROUPS);
        } catch (java.io.UncheckedIOException e) {
            throw ApiError.invalid("order", "order is a list of groups of candidate indexes, best first");
        }
        campaigns.setGold(id, order);
        return Map.of("task", id, "gold", order);
    }

    private CampaignStore.Campaign campaign(String id) {
        return campaigns.campaign(id).orElseThrow(() -> ApiError.notFound("no campaign " + id));
    }

    static String text(JsonNode body, String field) {
        if (body == null || !body.path(field).isTextual())
            throw ApiError.invalid(field, "'" + field + "' is required (text)");
        return body.get(field).asText();
    }
}
