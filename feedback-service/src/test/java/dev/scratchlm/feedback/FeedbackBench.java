package dev.scratchlm.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Generation;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.devstack.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The ranking path under load: feedback-service (its packaged app) on a fresh dev stack, a campaign of N tasks whose
 * candidates a stand-in for chat-service publishes on {@code generations}, and 8 raters (each its own session)
 * asking for their next task and submitting a ranking through HTTP until the queue is empty. Then it counts the
 * rankings in PostgreSQL (the campaign report) and on {@code rankings} (by id): none may be missing or twice.
 * The undo window is set to 0 so rankings are published as soon as they are committed.
 *
 * <p>Prints, last: {@code rankings=N per_s=X p99_ms=Y lost=L duplicated=D} (p99 of the submit requests).
 * Args: the quarkus-run.jar, jvm flags (one string), number of rankings (default 2000), rankings of the warm-up
 * campaign before it (default 2000).
 */
public final class FeedbackBench {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = "bench-admin-token";

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        String flags = args.length > 1 ? args[1] : "";
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        int raters = 8;
        Path state = Files.createTempDirectory("feedback-bench");
        try (DevStack stack = DevStack.start(0, 0, null)) {
            int port = FreePorts.pick();
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(Arrays.stream(flags.trim().split("\\s+"))
                    .filter(f -> !f.isBlank())
                    .toList());
            cmd.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(state.resolve("service.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
            env.put("POSTGRES_JDBC_URL", stack.jdbcUrl());
            env.put("POSTGRES_USER", stack.user());
            env.put("POSTGRES_PASSWORD", stack.password());
            env.put("SCRATCHLM_ADMIN_TOKENS", TOKEN);
            env.put("FEEDBACK_UNDO_WINDOW", "0s");
            System.out.println(
                    "starting feedback-service on port " + port + " (log: " + state.resolve("service.log") + ")");
            Process service = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(service::destroy));
            try {
                String base = "http://127.0.0.1:" + port;
                waitReady(base, service);
                // A service runs for hours: the first rankings, while the JIT compiles the hot paths, are a warm-up
                // campaign of its own (other raters, other tasks), reported but not the result.
                if (warmup > 0) run(base, stack.bootstrapServers(), warmup, raters, "warm-up");
                run(base, stack.bootstrapServers(), n, raters, "bench");
            } finally {
                service.destroy();
            }
        }
    }

    private static void run(String base, String bootstrap, int n, int raters, String name) throws Exception {
        List<Map<String, Object>> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++)
            prompts.add(Map.of("messages", List.of(Map.of("role", "user", "content", "Question " + i + "?"))));
        JsonNode created = send(
                base,
                "POST",
                "/api/campaigns",
                Map.of("name", name, "model", "sft", "k", 4, "overlap", 1, "prompts", prompts),
                null,
                201);
        String campaign = created.at("/campaign/id").asText();
        // Stand-in for chat-service: four candidates for every request.
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap));
                KafkaConsumer<String, byte[]> c =
                        new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "bench-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.GENERATION_REQUESTS).stream()
                    .map(x -> new TopicPartition(x.topic(), x.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            int answered = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (answered < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    GenerationRequest req = Json.read(r.value(), GenerationRequest.class);
                    if (!campaign.equals(req.campaignId())) continue;
                    Generation g = new Generation(
                            Generation.SCHEMA,
                            req.taskId(),
                            campaign,
                            "bench-ckpt",
                            req.prompt(),
                            List.of("first answer", "second answer", "third answer", "fourth answer"),
                            null,
                            Instant.now());
                    p.send(new ProducerRecord<>(Topics.GENERATIONS, req.taskId(), Json.bytes(g)));
                    answered++;
                }
            }
            p.flush();
            if (answered < n)
                throw new IllegalStateException("only " + answered + " of " + n + " generation requests arrived");
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (send(base, "GET", "/api/campaigns/" + campaign, null, null, 200)
                        .at("/tasks/ready")
                        .asInt()
                < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("tasks not ready in 2 minutes");
            Thread.sleep(200);
        }
        List<String> cookies = new ArrayList<>();
        for (int r = 0; r < raters; r++) {
            String rater = name + "-" + r;
            send(base, "POST", "/api/raters", Map.of("name", rater, "password", "bench password " + r), null, 201);
            HttpResponse<String> in = CLIENT.send(
                    json(base, "POST", "/api/session", Map.of("name", rater, "password", "bench password " + r), null),
                    HttpResponse.BodyHandlers.ofString());
            String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
            cookies.add(cookie.substring(0, cookie.indexOf(';')));
        }
        System.out.printf(
                Locale.ROOT,
                "%s campaign %s: %d tasks ready, %d raters signed in; ranking%n",
                name,
                campaign,
                n,
                raters);
        ConcurrentLinkedQueue<Long> submitNanos = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(raters);
        long t0 = System.nanoTime();
        List<Future<Integer>> done = new ArrayList<>();
        for (String cookie : cookies) {
            done.add(pool.submit(() -> {
                int mine = 0;
                List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
                while (true) {
                    JsonNode task = send(base, "GET", "/api/rater/next?campaign=" + campaign, null, cookie, 200)
                            .get("task");
                    if (task == null || task.isNull()) return mine;
                    Collections.shuffle(order);
                    Map<String, Object> body = Map.of(
                            "submissionId",
                            UUID.randomUUID().toString(),
                            "order",
                            List.of(List.of(order.get(0)), List.of(order.get(1), order.get(2)), List.of(order.get(3))));
                    long s = System.nanoTime();
                    send(base, "POST", "/api/rater/tasks/" + task.get("id").asText() + "/ranking", body, cookie, 201);
                    submitNanos.add(System.nanoTime() - s);
                    mine++;
                }
            }));
        }
        int total = 0;
        for (Future<Integer> f : done) total += f.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        List<Long> lat = new ArrayList<>(submitNanos);
        Collections.sort(lat);
        double p50 = lat.get(lat.size() / 2) / 1e6, p99 = lat.get((int) Math.ceil(lat.size() * 0.99) - 1) / 1e6;
        System.out.printf(
                Locale.ROOT,
                "%s: %d rankings by %d raters in %.2f s (next + submit each): %.0f rankings/s; submit p50 %.1f ms, p99 %.1f ms%n",
                name,
                total,
                raters,
                seconds,
                total / seconds,
                p50,
                p99);

        int stored = send(base, "GET", "/api/campaigns/" + campaign, null, null, 200)
                .at("/progress/humanRankings")
                .asInt();
        Map<String, Integer> onTopic = new HashMap<>();
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            onTopic = rankingsOnTopic(bootstrap, campaign);
            if (onTopic.size() >= stored || System.nanoTime() > deadline) break;
            Thread.sleep(500);
        }
        int duplicated = onTopic.values().stream().mapToInt(x -> x - 1).sum();
        int lost = total - (int) onTopic.keySet().stream().count();
        System.out.printf(
                Locale.ROOT,
                "%s: in PostgreSQL: %d; on rankings: %d distinct, %d duplicated%n",
                name,
                stored,
                onTopic.size(),
                duplicated);
        if (stored != total) lost = Math.max(lost, total - stored);
        if (!name.equals("bench")) {
            if (lost > 0 || duplicated > 0)
                throw new IllegalStateException(name + ": " + lost + " lost, " + duplicated + " duplicated");
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "rankings=%d per_s=%.0f p99_ms=%.1f lost=%d duplicated=%d%n",
                total,
                total / seconds,
                p99,
                lost,
                duplicated);
    }

    private static Map<String, Integer> rankingsOnTopic(String bootstrap, String campaign) {
        Map<String, Integer> ids = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "bench-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.RANKINGS).stream()
                    .map(x -> new TopicPartition(x.topic(), x.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Ranking rk = Json.read(r.value(), Ranking.class);
                    if (campaign.equals(rk.campaignId())) ids.merge(rk.id(), 1, Integer::sum);
                }
            }
        }
        return ids;
    }

    private static HttpRequest json(String base, String method, String path, Object body, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(Json.string(body)));
        if (cookie != null) b.header("Cookie", cookie);
        return b.build();
    }

    private static JsonNode send(String base, String method, String path, Object body, String cookie, int expect)
            throws Exception {
        HttpResponse<String> r =
                CLIENT.send(json(base, method, path, body, cookie), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect)
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        return Json.read(r.body(), JsonNode.class);
    }

    private static void waitReady(String base, Process service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) throw new IllegalStateException("feedback-service exited");
            try {
                HttpResponse<String> r = CLIENT.send(
                        HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("feedback-service not ready in 2 minutes");
    }

    private FeedbackBench() {}
}
