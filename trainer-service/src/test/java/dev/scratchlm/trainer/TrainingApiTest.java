package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DeclaredBody;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service end to end on the real broker and database: shards produced on token-shards → a job over HTTP →
 * the loss goes down → checkpoints registered and published whole; live events; stop; bad jobs refused with 4xx JSON.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FreshStateDir.class, restrictToAnnotatedClass = false)
class TrainingApiTest {
    static final String TOKENIZER = "bytes-api-" + UUID.randomUUID().toString().substring(0, 8);
    static boolean produced;

    @TestHTTPResource("/")
    URL url;

    String base() {
        return url.toString().endsWith("/") ? url.toString() : url + "/";
    }

    @BeforeEach
    void corpus() throws Exception {
        if (!produced) {
            Api.produceCorpus(SharedDevStack.get().bootstrapServers(), TOKENIZER, 3, 40, 5);
            produced = true;
        }
        Api.awaitTokenizer(base(), TOKENIZER, 3);
    }

    static String tinyJob(int steps, String extra) {
        return "{\"stage\": \"pretrain\", \"tokenizerId\": \"" + TOKENIZER + "\", "
                + "\"model\": {\"nLayer\": 2, \"nHead\": 2, \"nEmbd\": 32, \"blockSize\": 32, \"dropout\": 0.0}, "
                + "\"steps\": " + steps + ", \"batchSize\": 8, \"lr\": 0.003, \"warmupSteps\": 5" + extra + "}";
    }

    /** The preference stages answer over HTTP like the others: 400 with a JSON body saying what is wrong. */
    @Test
    void preferenceStagesRefuseBadJobsWithA400() throws Exception {
        TestHttp.Reply noParent =
                Api.HTTP.post(base() + "api/jobs", "{\"stage\": \"dpo\", \"preference\": {\"sources\": [\"rule\"]}}");
        assertThat(noParent.status()).isEqualTo(400);
        assertThat(noParent.body()).contains("parent is required for stage dpo");
        TestHttp.Reply unknown = Api.HTTP.post(base() + "api/jobs", "{\"stage\": \"reward\", \"parent\": \"nope\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("parent checkpoint 'nope' does not exist");
    }

    @Test
    void pretrainsOnTheShardsAndPublishesItsCheckpoints() throws Exception {
        TestHttp.Reply submitted = Api.HTTP.post(
                base() + "api/jobs", tinyJob(60, ", \"evalEvery\": 20, \"evalBatches\": 4, \"checkpointEvery\": 30"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = (String) submitted.map().get("id");
        assertThat(((Map<?, ?>) ((Map<?, ?>) submitted.map().get("plan")).get("model")).get("vocabSize"))
                .isEqualTo(TestCorpus.VOCAB);

        List<String> events = new CopyOnWriteArrayList<>();
        var stream = TestHttp.client()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create(base() + "api/jobs/" + id + "/events"))
                                .header("Accept", "text/event-stream")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body()
                        .filter(l -> l.startsWith("event:"))
                        .forEach(l -> events.add(l.substring(6).trim())));

        Map<String, Object> job = Api.awaitJob(base(), id, Duration.ofMinutes(3));
        assertThat(job.get("state")).as(String.valueOf(job.get("error"))).isEqualTo("done");
        assertThat(job.get("step")).isEqualTo(60);
        assertThat(((Number) job.get("tokensSeen")).longValue()).isEqualTo(60L * 8 * 32);
        assertThat(((Number) job.get("tokensPerSecond")).doubleValue()).isPositive();
        assertThat(((Number) job.get("mfu")).doubleValue()).isPositive().isLessThan(1.0);

        // The loss went down: from about ln(257) = 5.55 at the first step to well below.
        List<Map<String, Object>> points = (List<Map<String, Object>>)
                Api.HTTP.get(base() + "api/jobs/" + id + "/metrics").map().get("points");
        assertThat(points).hasSize(60);
        float first = ((Number) points.get(0).get("trainLoss")).floatValue();
        double lastTen = points.subList(50, 60).stream()
                .mapToDouble(p -> ((Number) p.get("trainLoss")).doubleValue())
                .average()
                .orElseThrow();
        assertThat(first).isGreaterThan(5f);
        assertThat(lastTen).isLessThan(first - 1.5);
        assertThat(points.stream().filter(p -> p.containsKey("valLoss")).map(p -> p.get("step")))
                .containsExactly(20, 40, 60);
        assertThat(((Number) job.get("valLoss")).doubleValue()).isLessThan(first - 1.5);

        // Registered: one checkpoint every 30 steps, published.
        List<Map<String, Object>> checkpoints = (List<Map<String, Object>>) job.get("checkpoints");
        assertThat(checkpoints).extracting(c -> c.get("step")).containsExactly(30, 60);
        assertThat(checkpoints).allSatisfy(c -> assertThat(c.get("published")).isEqualTo(true));
        Map<String, Object> last = checkpoints.get(1);
        String ckptId = (String) last.get("id");
        assertThat(Api.HTTP.get(base() + "api/checkpoints").list()).anySatisfy(c -> {
            assertThat(c.get("id")).isEqualTo(ckptId);
            assertThat(c.get("job")).isEqualTo(id);
            assertThat(c.get("stage")).isEqualTo("pretrain");
            assertThat(c.get("tokenizer")).isEqualTo(TOKENIZER);
            assertThat((String) c.get("sha256")).hasSize(64);
        });

        // Live events: status on connecting, then steps, evaluations, checkpoints and the end (a job this small may
        // have started before the stream connected, so its "state" event is not required).
        stream.get(30, TimeUnit.SECONDS);
        assertThat(events)
                .startsWith("status")
                .contains("step", "eval", "checkpoint")
                .endsWith("end");

        // On the checkpoints topic, whole and loadable by gpt.
        ChunkAssembler assembler = new ChunkAssembler(Files.createTempDirectory("trainer-api-spool"));
        Path blob = null;
        CheckpointManifest manifest = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                SharedDevStack.get().bootstrapServers(), "trainer-api-test-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(Topics.CHECKPOINTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (blob == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ChunkAssembler.Outcome o = assembler.accept(r);
                    if (o.status() == ChunkAssembler.Outcome.Status.COMPLETE
                            && o.key().equals(ckptId)) {
                        blob = o.blob();
                        manifest = Json.read(o.manifestJson(), CheckpointManifest.class);
                    }
                }
            }
        }
        assertThat(blob).isNotNull();
        assertThat(manifest.sha256()).isEqualTo(last.get("sha256"));
        assertThat(manifest.lineage())
                .containsEntry("jobId", id)
                .containsEntry("shardCount", 3)
                .containsEntry("trainDocuments", 120)
                .containsEntry("documents", 120)
                .containsEntry("knowledgeCutoff", "2020-01-03");
        assertThat((Map<String, Object>) manifest.lineage().get("shards")).containsKey(TOKENIZER + "-train-0");
        Checkpoint loaded;
        try (InputStream in = Files.newInputStream(blob)) {
            loaded = Checkpoint.readWeightsOnly(in);
        }
        assertThat(loaded.step()).isEqualTo(60);
        assertThat(loaded.tokenizerId()).isEqualTo(TOKENIZER);
        Gpt model = loaded.toModel(1);
        int[] prompt = "the cat sees".chars().toArray();
        model.setTraining(false);
        float loss = model.forward(
                prompt,
                java.util.Arrays.copyOfRange("he cat sees ".chars().toArray(), 0, prompt.length),
                null,
                1,
                prompt.length);
        assertThat(loss)
                .as("the trained model predicts the corpus far better than chance")
                .isLessThan(4f);
    }

    @Test
    void stopsARunningJobAfterItsCurrentStepWithACheckpoint() throws Exception {
        String id = (String) Api.HTTP
                .post(base() + "api/jobs", tinyJob(1_000_000, ", \"checkpointEvery\": 100000"))
                .map()
                .get("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (((Number) Api.HTTP.get(base() + "api/jobs/" + id).map().get("step")).intValue() < 3
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        TestHttp.Reply stop = Api.HTTP.post(base() + "api/jobs/" + id + "/stop", "");
        assertThat(stop.status()).as(stop.body()).isEqualTo(202);
        Map<String, Object> job = Api.awaitJob(base(), id, Duration.ofSeconds(60));
        assertThat(job.get("state")).isEqualTo("stopped");
        int step = (Integer) job.get("step");
        assertThat(step).isGreaterThanOrEqualTo(3).isLessThan(1_000_000);
        assertThat((List<Map<String, Object>>) job.get("checkpoints"))
                .extracting(c -> c.get("step"))
                .containsExactly(step);
        TestHttp.Reply again = Api.HTTP.post(base() + "api/jobs/" + id + "/stop", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.map().get("error")).asString().contains("already stopped");
    }

    @Test
    void aStoppedJobResumesAndEndsExactlyWhereAnUninterruptedOneDoes() throws Exception {
        String spec =
                tinyJob(6000, ", \"checkpointEvery\": 100000, \"evalEvery\": 100000, \"evalBatches\": 4, \"seed\": 7");
        String id = (String) Api.HTTP.post(base() + "api/jobs", spec).map().get("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (((Number) Api.HTTP.get(base() + "api/jobs/" + id).map().get("step")).intValue() < 3
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Api.HTTP.post(base() + "api/jobs/" + id + "/stop", "").status())
                .isEqualTo(202);
        Map<String, Object> stopped = Api.awaitJob(base(), id, Duration.ofSeconds(60));
        assertThat(stopped.get("state")).isEqualTo("stopped");
        int stoppedAt = (Integer) stopped.get("step");
        assertThat(stoppedAt).as("stopped mid-way").isLessThan(6000);

        List<Map<String, Object>> before = (List<Map<String, Object>>) Api.HTTP
                .get(base() + "api/jobs/" + id + "/metrics?maxPoints=100000")
                .map()
                .get("points");
        assertThat(before).hasSize(stoppedAt);

        TestHttp.Reply resumed = Api.HTTP.post(base() + "api/jobs/" + id + "/resume", "");
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(202);
        Map<String, Object> done = Api.awaitJob(base(), id, Duration.ofSeconds(120));
        assertThat(done.get("state")).isEqualTo("done");
        assertThat(done.get("step")).isEqualTo(6000);
        assertThat((List<Map<String, Object>>) done.get("checkpoints"))
                .extracting(c -> c.get("step"))
                .contains(stoppedAt, 6000);
        // It continued from its checkpoint: the steps before the stop were not trained (and recorded) again.
        List<Map<String, Object>> after = (List<Map<String, Object>>) Api.HTTP
                .get(base() + "api/jobs/" + id + "/metrics?maxPoints=100000")
                .map()
                .get("points");
        assertThat(after).hasSize(6000);
        assertThat(after.subList(0, stoppedAt)).isEqualTo(before);

        String straight =
                (String) Api.HTTP.post(base() + "api/jobs", spec).map().get("id");
        Map<String, Object> reference = Api.awaitJob(base(), straight, Duration.ofSeconds(120));
        assertThat(reference.get("state")).isEqualTo("done");
        assertThat(done.get("valLoss"))
                .as("validation loss after stop + resume vs. uninterrupted")
                .isEqualTo(reference.get("valLoss"));

        TestHttp.Reply notStopped = Api.HTTP.post(base() + "api/jobs/" + id + "/resume", "");
        assertThat(notStopped.status()).isEqualTo(409);
        assertThat(notStopped.map().get("error")).asString().contains("only a stopped job can be resumed");
    }

    @Test
    void refusesBadJobsBeforeAnyWorkWithAJsonError() throws Exception {
        int before = Api.HTTP.get(base() + "api/jobs?limit=500").list().size();
        String[] bad = { // request, what the error must say
            tinyJob(10, "").replace("\"nHead\": 2", "\"nHead\": 3"),
            "must divide",
            tinyJob(10, "").replace("\"steps\": 10", "\"steps\": -1"),
            "steps must be in",
            tinyJob(10, "").replace("pretrain", "finetune"),
            "unknown stage",
            tinyJob(10, "").replace(TOKENIZER, "no-such-tokenizer"),
            "unknown tokenizer",
            tinyJob(10, "").replace("\"blockSize\": 32", "\"blockSize\": 32, \"vocabSize\": 1000"),
            "does not match",
            tinyJob(10, "").replace("\"nEmbd\": 32", "\"nEmbd\": 4096").replace("\"nLayer\": 2", "\"nLayer\": 48"),
            "cannot be built",
            tinyJob(10, "").replace("\"nEmbd\": 32", "\"nEmbd\": 1024").replace("\"nLayer\": 2", "\"nLayer\": 24"),
            "needs about",
            tinyJob(10, ", \"parent\": \"no-such-checkpoint\""),
            "does not exist",
            tinyJob(10, "").replace("\"blockSize\": 32", "\"blockSize\": 5000"),
            "model.blockSize must be in 2..4096",
            "{\"stage\": \"pretrain\",",
            "not valid JSON",
            tinyJob(10, ", \"learningRate\": 0.1"),
            "unknown field 'learningRate'"
        };
        for (int i = 0; i < bad.length; i += 2) {
            TestHttp.Reply r = Api.HTTP.post(base() + "api/jobs", bad[i]);
            assertThat(r.status()).as(bad[i] + " -> " + r.body()).isEqualTo(400);
            assertThat(r.map().get("error")).as(r.body()).asString().contains(bad[i + 1]);
        }
        assertThat(Api.HTTP.get(base() + "api/jobs?limit=500").list()).hasSize(before);
        TestHttp.Reply missing = Api.HTTP.get(base() + "api/jobs/no-such-job");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.map().get("error")).asString().contains("no job no-such-job");
        assertThat(Api.HTTP.get(base() + "api/checkpoints/nope").status()).isEqualTo(404);
        DeclaredBody.Reply huge = DeclaredBody.post(url, "/api/jobs", 11L << 20, "application/json");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith("application/json");
        assertThat(huge.body()).contains("the limit is 10485760 bytes");
    }
}
