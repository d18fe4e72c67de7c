package dev.scratchlm.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.service.TestHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * feedback-service as its own process (the packaged application), killed with SIGKILL in the middle of a campaign
 * and started again on the same database and broker: the raters' sessions still hold, no ranked task comes back, a
 * submission repeated after the restart is the same ranking, and every ranking is in PostgreSQL and on
 * {@code rankings} exactly once, including those still inside their undo window when the process died.
 */
class RestartIT {
    private static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void aServiceKilledMidCampaignLosesAndDuplicatesNothing() throws Exception {
        assertThat(APP)
                .as("the packaged application (mvn package runs before the integration tests)")
                .exists();
        DevStack stack = SharedDevStack.get();
        int port = freePort();
        String url = "http://127.0.0.1:" + port + "/";
        Path log = Files.createTempFile("feedback-restart", ".log");
        Process service = start(stack, port, log);
        try {
            awaitReady(url, service, log);
            Stack s = new Stack(url);
            Stack.Rater ann = s.rater("restart");
            List<String> prompts = List.of("P0", "P1", "P2", "P3", "P4", "P5");
            List<List<String>> candidates = prompts.stream()
                    .map(p -> List.of(p + " first", p + " second", p + " third"))
                    .toList();
            String campaign = s.campaign(prompts, 3, 1, null, candidates);

            // Three tasks ranked; the last two are still inside their undo window when the process dies.
            Set<String> ranked = new HashSet<>();
            Map<String, Object> lastBody = null;
            String lastTask = null, lastRanking = null;
            for (int i = 0; i < 3; i++) {
                JsonNode task = ann.next(campaign);
                assertThat(task).isNotNull();
                lastTask = task.get("id").asText();
                lastBody = Map.of(
                        "submissionId", UUID.randomUUID().toString(),
                        "order", List.of(List.of(2), List.of(0), List.of(1)),
                        "unusable", false,
                        "flags", List.of());
                TestHttp.Reply r = ann.post("api/rater/tasks/" + lastTask + "/ranking", lastBody);
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                lastRanking = r.json().get("ranking").asText();
                ranked.add(lastTask);
            }

            service.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye to the broker
            assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(service.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            service = start(stack, port, log);
            awaitReady(url, service, log);

            // The same form sent again after the restart (the rater never saw the answer) is the same ranking.
            TestHttp.Reply again = ann.post("api/rater/tasks/" + lastTask + "/ranking", lastBody);
            assertThat(again.status()).as(again.body()).isEqualTo(200);
            assertThat(again.json().get("duplicate").asBoolean()).isTrue();
            assertThat(again.json().get("ranking").asText()).isEqualTo(lastRanking);
            // The session survived (only its hash is stored); the rest of the queue, never a ranked task again.
            for (int i = 0; i < 3; i++) {
                JsonNode task = ann.next(campaign);
                assertThat(task).as("task %d after the restart", i).isNotNull();
                assertThat(ranked).doesNotContain(task.get("id").asText());
                assertThat(ann.rank(task, List.of(List.of(0), List.of(1), List.of(2)))
                                .status())
                        .isEqualTo(201);
                ranked.add(task.get("id").asText());
            }
            assertThat(ann.next(campaign))
                    .as("every task ranked: the queue is empty")
                    .isNull();

            JsonNode report = s.admin.get("api/campaigns/" + campaign).json();
            assertThat(report.at("/progress/humanRankings").asInt()).isEqualTo(6);
            // On the topic once each after the undo window (1 s here), those of before the kill included.
            Topic.await(Topics.RANKINGS, r -> r.key().startsWith(campaign + "-"), 6);
            Thread.sleep(3000); // anything sent twice would be there by now
            List<String> ids = new ArrayList<>();
            for (var rec : Topic.all(Topics.RANKINGS)) {
                if (rec.key().startsWith(campaign + "-"))
                    ids.add(Json.read(rec.value(), Ranking.class).id());
            }
            assertThat(ids).hasSize(6).doesNotHaveDuplicates();
        } finally {
            service.destroyForcibly();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process start(DevStack stack, int port, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                APP.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("FEEDBACK_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("POSTGRES_JDBC_URL", stack.jdbcUrl());
        env.put("POSTGRES_USER", stack.user());
        env.put("POSTGRES_PASSWORD", stack.password());
        env.put("SCRATCHLM_ADMIN_TOKENS", Stack.TOKEN);
        env.put("FEEDBACK_UNDO_WINDOW", "1s");
        env.put("FEEDBACK_CHAT_URL", "http://127.0.0.1:9");
        return pb.start();
    }

    private static void awaitReady(String url, Process service, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            if (!service.isAlive()) throw new AssertionError("feedback-service exited:\n" + Files.readString(log));
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(url + "q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("feedback-service not ready after 120 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
