package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Generation;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.service.DeadLetters;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Campaign requests on the real broker, answered by the service's consumer with the served test models. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class GenerationConsumerTest {
    private static final TestHttp HTTP = new TestHttp();
    private static KafkaProducer<String, byte[]> producer;

    @TestHTTPResource("/")
    URL url;

    TestModels.Published models;

    @BeforeEach
    void published() throws Exception {
        models = ServedModels.ready(url.toString());
        if (producer == null)
            producer = new KafkaProducer<>(
                    KafkaSettings.producer(SharedDevStack.get().bootstrapServers()));
    }

    @AfterAll
    static void close() {
        if (producer != null) producer.close();
        producer = null;
    }

    private static final List<ChatMessage> PROMPT =
            List.of(ChatMessage.system("be brief"), ChatMessage.user("The cat"));

    private static GenerationRequest request(String model, int k, int maxTokens, long seed) {
        return new GenerationRequest(
                GenerationRequest.SCHEMA,
                "task-" + UUID.randomUUID(),
                "campaign-1",
                model,
                PROMPT,
                k,
                1.0,
                0.9,
                maxTokens,
                seed,
                Instant.now());
    }

    private static void send(Integer partition, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTS, partition, key, value))
                .get();
    }

    private static void send(GenerationRequest r) throws Exception {
        send(null, r.taskId(), Json.bytes(r));
    }

    /** Every record keyed {@code key} on {@code topic}, read from the start until {@code count} are there. */
    static List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, String key, int count) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(
                SharedDevStack.get().bootstrapServers(), "generations-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) out.add(r);
                }
            }
        }
        assertThat(out).as("records keyed " + key + " on " + topic).hasSize(count);
        return out;
    }

    static Generation awaitGeneration(String taskId) {
        return Json.read(awaitRecords(Topics.GENERATIONS, taskId, 1).get(0).value(), Generation.class);
    }

    /** What the OpenAI path answers with the same prompt and sampling settings and this seed. */
    private String apiAnswer(String model, int maxTokens, long seed) {
        TestHttp.Reply r = HTTP.post(url + "v1/chat/completions", """
                {"model": "%s", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "The cat"}],
                 "temperature": 1.0, "top_p": 0.9, "max_tokens": %d, "seed": %d}
                """.formatted(model, maxTokens, seed));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().at("/choices/0/message/content").asText();
    }

    @Test
    void aRequestIsAnsweredWithKCandidatesFromTheResolvedCheckpointEachWithItsOwnSeed() throws Exception {
        GenerationRequest req = request("pretrain", 4, 12, 42);
        send(req);
        List<ConsumerRecord<String, byte[]>> records = awaitRecords(Topics.GENERATIONS, req.taskId(), 1);
        Generation g = Json.read(records.get(0).value(), Generation.class);
        assertThat(g.schema()).isEqualTo(Generation.SCHEMA);
        assertThat(g.taskId()).isEqualTo(req.taskId());
        assertThat(g.campaignId()).isEqualTo("campaign-1");
        assertThat(g.checkpointId()).as("the alias resolved").isEqualTo(models.baseId());
        assertThat(g.prompt()).isEqualTo(PROMPT);
        assertThat(g.error()).isNull();
        assertThat(g.candidates()).hasSize(4);
        // Candidate i is what the API gives for the same settings with seed 42 + i: the same sampling, seeded per
        // candidate.
        for (int i = 0; i < 4; i++) {
            assertThat(g.candidates().get(i)).as("candidate " + i).isEqualTo(apiAnswer("pretrain", 12, 42 + i));
        }
        assertThat(g.candidates()).as("different seeds, different samples").doesNotHaveDuplicates();
    }

    @Test
    void theSameRequestTwiceGivesTheSameCandidates() throws Exception {
        GenerationRequest req = request(models.chatId(), 3, 10, 7);
        send(req);
        send(req); // a redelivery, as after a crash between publishing and committing
        List<ConsumerRecord<String, byte[]>> records = awaitRecords(Topics.GENERATIONS, req.taskId(), 2);
        Generation first = Json.read(records.get(0).value(), Generation.class);
        Generation second = Json.read(records.get(1).value(), Generation.class);
        assertThat(first.checkpointId()).isEqualTo(models.chatId());
        assertThat(first.candidates()).hasSize(3);
        assertThat(second.candidates()).isEqualTo(first.candidates());
    }

    @Test
    void anUnknownModelOrAPromptBeyondTheContextIsAnsweredWithTheReasonAndNoCandidates() throws Exception {
        GenerationRequest unknown = request("no-such-model", 2, 5, 1);
        send(unknown);
        Generation g = awaitGeneration(unknown.taskId());
        assertThat(g.candidates()).isEmpty();
        assertThat(g.checkpointId()).isNull();
        assertThat(g.error()).contains("no-such-model").contains("does not exist");
        assertThat(g.campaignId()).isEqualTo("campaign-1");
        assertThat(g.prompt()).isEqualTo(PROMPT);

        GenerationRequest tooLong = request("sft", 2, 64, 1); // the test models' context is 64 tokens
        send(tooLong);
        Generation t = awaitGeneration(tooLong.taskId());
        assertThat(t.candidates()).isEmpty();
        assertThat(t.error()).contains("maximum context length is 64");
    }

    @Test
    void garbageAndInvalidRequestsAreDeadLetteredWithTheirReasonAndTheNextRequestIsAnswered() throws Exception {
        String garbage = "garbage-" + UUID.randomUUID();
        GenerationRequest badK = request("sft", 1, 5, 1);
        GenerationRequest good = request("sft", 2, 5, 1);
        // One partition, in this order: the good request is read after the two bad ones.
        send(0, garbage, "{not json".getBytes(StandardCharsets.UTF_8));
        send(0, badK.taskId(), Json.bytes(badK));
        send(0, good.taskId(), Json.bytes(good));

        ConsumerRecord<String, byte[]> dead = awaitRecords(Topics.deadLetter(Topics.GENERATION_REQUESTS), garbage, 1)
                .get(0);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.KIND)).isEqualTo(DeadLetters.POISON);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).contains("unreadable GenerationRequest");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.GROUP)).isEqualTo(GenerationConsumer.GROUP);
        ConsumerRecord<String, byte[]> invalid = awaitRecords(
                        Topics.deadLetter(Topics.GENERATION_REQUESTS), badK.taskId(), 1)
                .get(0);
        assertThat(DeadLetters.header(invalid.headers(), DeadLetters.REASON)).contains("k must be from 2 to 9, got 1");

        assertThat(awaitGeneration(good.taskId()).candidates()).hasSize(2);
        JsonNode ready = HTTP.get(url + "q/health/ready").json();
        assertThat(ready.toString()).contains("\"generation-consumer\":\"running\"");
    }
}
