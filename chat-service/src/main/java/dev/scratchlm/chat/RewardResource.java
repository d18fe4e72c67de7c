package dev.scratchlm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/rewards}: the loaded reward models, newest first. {@code POST /api/rewards/score} {@code {"reward_model"?, "messages": [...], "answers": ["...", ...]}}: a loaded
 * reward model's score of each answer as the reply to the conversation (higher is preferred), the way best_of ranks
 * them; the feedback-service's {@code ai} judge ranks a campaign's candidates with it.
 */
@Path("/api/rewards")
public class RewardResource {
    static final int MAX_ANSWERS = 16;

    @Inject
    ModelRegistry models;

    @jakarta.ws.rs.GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> list() {
        return Map.of("rewardModels", models.rewardModels());
    }

    @POST
    @Path("score")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> score(byte[] body) {
        JsonNode json = RequestParser.parseBody(body);
        JsonNode name = json.get("reward_model");
        if (name != null && !name.isNull() && !name.isTextual())
            throw OpenAiError.invalid("reward_model", "'reward_model' must be a string.");
        List<ChatMessage> messages = RequestParser.messages(json);
        JsonNode a = json.get("answers");
        if (a == null || !a.isArray() || a.isEmpty() || a.size() > MAX_ANSWERS) {
            throw OpenAiError.invalid("answers", "'answers' must be an array of 1 to " + MAX_ANSWERS + " strings.");
        }
        List<String> answers = new ArrayList<>();
        for (JsonNode x : a) {
            if (!x.isTextual()) throw OpenAiError.invalid("answers", "every answer must be a string.");
            answers.add(x.asText());
        }
        RewardModel reward = models.resolveReward(name == null || name.isNull() ? null : name.asText());
        float[] scores;
        try {
            scores = reward.score(messages, answers);
        } catch (IllegalArgumentException e) {
            throw OpenAiError.invalid("answers", e.getMessage());
        }
        List<Double> out = new ArrayList<>();
        for (float s : scores) out.add((double) s);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reward_model", reward.id);
        m.put("tokenizer", reward.tokenizerId);
        m.put("scores", out);
        return m;
    }
}
