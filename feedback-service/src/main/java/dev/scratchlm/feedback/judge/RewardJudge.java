package dev.scratchlm.feedback.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.service.ApiError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ai} rater: a reward model loaded in the chat-service scores each candidate
 * ({@code POST /api/rewards/score}) and the candidates are ranked by score, equal scores tied. The reward model is
 * fixed when the judge is made (the newest, or the one named), so its rankings carry its checkpoint id.
 */
public final class RewardJudge implements Judge {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String chatUrl;
    private final String apiKey;
    private final String rewardModel;

    /**
     * @param chatUrl the chat-service's base URL
     * @param apiKey  its API key, or null when it has none
     * @param name    a reward model id, or null for the newest loaded
     * @throws ApiError 400 when no such reward model is loaded, 503 when the chat-service does not answer
     */
    public RewardJudge(String chatUrl, String apiKey, String name) {
        this.chatUrl = chatUrl.endsWith("/") ? chatUrl : chatUrl + "/";
        this.apiKey = apiKey;
        JsonNode loaded = call(HttpRequest.newBuilder(URI.create(this.chatUrl + "api/rewards"))
                        .GET())
                .path("rewardModels");
        List<String> ids = new ArrayList<>();
        loaded.forEach(n -> ids.add(n.asText()));
        if (ids.isEmpty())
            throw ApiError.invalid(
                    "rewardModel", "the chat-service has no reward model loaded: train a reward stage first");
        if (name != null && !ids.contains(name)) {
            throw ApiError.invalid(
                    "rewardModel",
                    "reward model '" + name + "' is not loaded in the chat-service (loaded: " + String.join(", ", ids)
                            + ")");
        }
        this.rewardModel = name != null ? name : ids.get(0);
    }

    @Override
    public String name() {
        return "ai:" + rewardModel;
    }

    @Override
    public String source() {
        return Ranking.AI;
    }

    @Override
    public Optional<List<List<Integer>>> rank(List<ChatMessage> prompt, List<String> candidates) {
        ObjectNode body = JSON.createObjectNode();
        body.put("reward_model", rewardModel);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : prompt)
            messages.addObject().put("role", m.role().id()).put("content", m.content());
        ArrayNode answers = body.putArray("answers");
        candidates.forEach(answers::add);
        JsonNode reply;
        try {
            reply = call(HttpRequest.newBuilder(URI.create(chatUrl + "api/rewards/score"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        } catch (ApiError e) {
            if (e.status() == 400)
                return Optional.empty(); // e.g. longer than the reward model's context: not its to rank
            throw e;
        }
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++)
            scores[i] = reply.path("scores").path(i).asDouble(Double.NaN);
        return Optional.of(order(scores));
    }

    /** Candidate indexes grouped by equal score, highest first. */
    static List<List<Integer>> order(double[] scores) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) idx.add(i);
        idx.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<List<Integer>> groups = new ArrayList<>();
        for (int i : idx) {
            if (!groups.isEmpty() && scores[groups.get(groups.size() - 1).get(0)] == scores[i])
                groups.get(groups.size() - 1).add(i);
            else groups.add(new ArrayList<>(List.of(i)));
        }
        return groups;
    }

    private JsonNode call(HttpRequest.Builder request) {
        if (apiKey != null && !apiKey.isBlank()) request.header("Authorization", "Bearer " + apiKey);
        HttpResponse<String> r;
        try {
            r = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiError.unavailable(
                    "the chat-service at " + chatUrl + " does not answer: the ai judge needs it for its reward model");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted while asking the chat-service");
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            throw ApiError.unavailable("the chat-service answered " + r.statusCode() + " with a body that is not JSON");
        }
        if (r.statusCode() >= 400) {
            String why = json.path("error").path("message").asText("status " + r.statusCode());
            if (r.statusCode() == 400) throw ApiError.badRequest("the reward model refused: " + why);
            throw ApiError.unavailable("the chat-service answered " + r.statusCode() + ": " + why);
        }
        return json;
    }
}
