package dev.scratchlm.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Generation;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.TestHttp;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The running service as its users drive it: an admin with the token, raters with their session cookies. */
final class Stack {
    static final String TOKEN = "test-admin-token";
    final TestHttp anonymous;
    final TestHttp admin;

    Stack(String url) {
        anonymous = new TestHttp(url);
        admin = anonymous.withToken(TOKEN);
    }

    /** A rater account and a signed-in session for it. */
    Rater rater(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        TestHttp.Reply created = admin.post("api/raters", Map.of("name", name, "password", "correct horse " + name));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        TestHttp.Reply in = anonymous.post("api/session", Map.of("name", name, "password", "correct horse " + name));
        assertThat(in.status()).as(in.body()).isEqualTo(200);
        String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
        return new Rater(name, cookie.substring(0, cookie.indexOf(';')));
    }

    final class Rater {
        final String name, cookie;

        Rater(String name, String cookie) {
            this.name = name;
            this.cookie = cookie;
        }

        TestHttp.Reply get(String path) {
            return anonymous.send(
                    anonymous.request(path).header("Cookie", cookie).GET());
        }

        TestHttp.Reply post(String path, Object body) {
            String json = body instanceof String s ? s : Json.string(body);
            return anonymous.send(anonymous
                    .request(path)
                    .header("Cookie", cookie)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        JsonNode next(String campaign) {
            TestHttp.Reply r = get("api/rater/next?campaign=" + campaign);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode task = r.json().get("task");
            return task == null || task.isNull() ? null : task;
        }

        /** Ranks a served task in the candidates' own index order given, best first, one group each. */
        TestHttp.Reply rank(JsonNode task, List<List<Integer>> order) {
            return post(
                    "api/rater/tasks/" + task.get("id").asText() + "/ranking",
                    Map.of(
                            "submissionId",
                            UUID.randomUUID().toString(),
                            "order",
                            order,
                            "unusable",
                            false,
                            "flags",
                            List.of()));
        }
    }

    /** Creates a campaign over these user prompts and answers its generation requests as chat-service would. */
    String campaign(List<String> prompts, int k, int overlap, String judge, List<List<String>> candidates) {
        Map<String, Object> spec = new java.util.LinkedHashMap<>(Map.of(
                "name",
                "test",
                "model",
                "sft",
                "k",
                k,
                "temperature",
                1.0,
                "topP",
                0.9,
                "maxTokens",
                32,
                "overlap",
                overlap,
                "guidelines",
                "Prefer **faithful** answers. <script>x()</script>",
                "prompts",
                prompts.stream()
                        .map(p -> List.of(Map.of("role", "user", "content", p)))
                        .toList()));
        if (judge != null) spec.put("judge", judge);
        TestHttp.Reply r = admin.post("api/campaigns", spec);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().at("/campaign/id").asText();
        var requests = Topic.await(Topics.GENERATION_REQUESTS, rec -> rec.key().startsWith(id + "-"), prompts.size());
        for (var rec : requests) {
            GenerationRequest req = Json.read(rec.value(), GenerationRequest.class);
            int seq = Integer.parseInt(req.taskId().substring(id.length() + 1));
            Generation g = new Generation(
                    Generation.SCHEMA,
                    req.taskId(),
                    id,
                    "ckpt-test",
                    req.prompt(),
                    candidates.get(seq),
                    null,
                    Instant.now());
            Topic.send(Topics.GENERATIONS, req.taskId(), Json.bytes(g));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode tasks = admin.get("api/campaigns/" + id + "/tasks").json().get("tasks");
            boolean waiting = false;
            for (JsonNode t : tasks) waiting |= t.get("status").asText().equals("requested");
            if (!waiting) return id;
            if (System.nanoTime() > deadline) throw new AssertionError("tasks still waiting for candidates: " + tasks);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static List<ChatMessage> user(String text) {
        return List.of(ChatMessage.user(text));
    }
}
