package dev.scratchlm.feedback.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.service.ApiError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ai judge against the chat-service's reward API as that service answers it (its real behaviour is tested in the
 * chat-service: CheckpointLoadingTest): what it sends, how scores become a ranking with ties, and each refusal.
 */
class RewardJudgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final List<JsonNode> seen = new ArrayList<>();
    private final List<String> auth = new ArrayList<>();
    private String rewardModels = "[\"reward-new\", \"reward-old\"]";
    private String scores = "[0.5, 2.0, 0.5, -1.0]";
    private int scoreStatus = 200;

    private String start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/rewards", x -> {
            auth.add(x.getRequestHeaders().getFirst("Authorization"));
            byte[] out;
            int status = 200;
            if (x.getRequestURI().getPath().equals("/api/rewards/score")) {
                seen.add(JSON.readTree(x.getRequestBody()));
                status = scoreStatus;
                out = (status == 200
                                ? "{\"reward_model\": \"reward-new\", \"scores\": " + scores + "}"
                                : "{\"error\": {\"message\": \"an answer with its conversation is 300 tokens, longer than the reward model's context of 128\"}}")
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                out = ("{\"rewardModels\": " + rewardModels + "}").getBytes(StandardCharsets.UTF_8);
            }
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, out.length);
            x.getResponseBody().write(out);
            x.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void ranksByScoreWithEqualScoresTiedAndSendsTheConversation() throws Exception {
        RewardJudge judge = new RewardJudge(start(), "sk-chat", null);
        assertThat(judge.name()).isEqualTo("ai:reward-new"); // the newest, fixed when the judge is made
        assertThat(judge.source()).isEqualTo("ai");
        Optional<List<List<Integer>>> order = judge.rank(
                List.of(ChatMessage.system("Be brief."), ChatMessage.user("Describe: name[Zizzi]")),
                List.of("a", "b", "c", "d"));
        assertThat(order).contains(List.of(List.of(1), List.of(0, 2), List.of(3)));
        JsonNode sent = seen.get(0);
        assertThat(sent.get("reward_model").asText()).isEqualTo("reward-new");
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.at("/messages/1/content").asText()).isEqualTo("Describe: name[Zizzi]");
        assertThat(sent.get("answers")).hasSize(4);
        assertThat(auth).containsOnly("Bearer sk-chat");
        assertThat(new RewardJudge(start2(), null, "reward-old").name()).isEqualTo("ai:reward-old");
    }

    private String start2() throws IOException {
        stop();
        return start();
    }

    @Test
    void aTaskTheRewardModelRefusesIsNotItsToRank() throws Exception {
        RewardJudge judge = new RewardJudge(start(), null, null);
        scoreStatus = 400;
        assertThat(judge.rank(List.of(ChatMessage.user("x")), List.of("a", "b")))
                .isEmpty();
        scoreStatus = 500;
        assertThatThrownBy(() -> judge.rank(List.of(ChatMessage.user("x")), List.of("a", "b")))
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void refusedWithoutARewardModelOrTheChatService() throws Exception {
        String url = start();
        assertThatThrownBy(() -> new RewardJudge(url, null, "no-such"))
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.getMessage()).contains("reward-new, reward-old"));
        rewardModels = "[]";
        assertThatThrownBy(() -> new RewardJudge(url, null, null))
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.getMessage()).contains("no reward model"));
        assertThatThrownBy(() -> new RewardJudge("http://127.0.0.1:9", null, null))
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.status()).isEqualTo(503));
    }
}
