package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checkpoints as the topic delivers them: only complete, verified ones are served; a missing tokenizer is waited for. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class CheckpointLoadingTest {
    private static final TestHttp HTTP = new TestHttp();

    @TestHTTPResource("/")
    URL url;

    TestModels.Published models;

    @BeforeEach
    void published() throws Exception {
        models = ServedModels.ready(url.toString());
    }

    private static byte[] randomCheckpoint(String tokenizerId, int vocab) {
        GptConfig cfg = new GptConfig(vocab, 16, 1, 1, 8, 0f);
        return Checkpoint.weightsOnly(new Gpt(cfg, 1, 5), tokenizerId, Map.of(), Map.of())
                .toBytes();
    }

    private static ProducerRecord<String, byte[]> chunk(String key, int index, byte[] data, String sha) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.CHECKPOINTS, key, data);
        r.headers()
                .add(Chunks.KIND, Chunks.CHUNK.getBytes(StandardCharsets.UTF_8))
                .add(Chunks.INDEX, Integer.toString(index).getBytes(StandardCharsets.UTF_8))
                .add(Chunks.SHA256, sha.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private static ProducerRecord<String, byte[]> manifest(
            String key, String stage, String tokenizerId, long size, int chunks, String sha) {
        CheckpointManifest m = new CheckpointManifest(
                CheckpointManifest.SCHEMA,
                key,
                stage,
                1,
                null,
                tokenizerId,
                Map.of(),
                Map.of(),
                Map.of(),
                size,
                chunks,
                sha,
                Instant.now());
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.CHECKPOINTS, key, Json.bytes(m));
        r.headers().add(Chunks.KIND, Chunks.MANIFEST.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private JsonNode waitForStatus(Predicate<JsonNode> until) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode s = null;
        while (System.nanoTime() < deadline) {
            s = HTTP.get(url + "api/models/status").json();
            if (until.test(s)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("status never matched: " + s);
    }

    /** A DPO checkpoint is served under its stage's alias; a reward model is loaded to score answers, never offered for chat. */
    @Test
    void dpoIsServedAsDpoAndARewardModelIsNotServedForChat() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String dpo = "dpo-" + run, reward = "reward-" + run;
        GptConfig lm = new GptConfig(TestModels.tokenizer.vocabSize(), 16, 1, 1, 8, 0f);
        byte[] dpoBlob = Checkpoint.weightsOnly(new Gpt(lm, 1, 5), models.tokenizerId(), Map.of(), Map.of())
                .toBytes();
        byte[] rewardBlob = Checkpoint.weightsOnly(
                        new Gpt(lm.withRewardHead(true), 1, 6), models.tokenizerId(), Map.of(), Map.of())
                .toBytes();
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            p.send(chunk(reward, 0, rewardBlob, Chunks.sha256Hex(rewardBlob)));
            p.send(manifest(
                    reward, "reward", models.tokenizerId(), rewardBlob.length, 1, Chunks.sha256Hex(rewardBlob)));
            p.send(chunk(dpo, 0, dpoBlob, Chunks.sha256Hex(dpoBlob)));
            p.send(manifest(dpo, "dpo", models.tokenizerId(), dpoBlob.length, 1, Chunks.sha256Hex(dpoBlob)))
                    .get();
        }
        JsonNode status = waitForStatus(s -> s.get("loaded").toString().contains(dpo)
                && s.get("rewardModels").toString().contains(reward));
        assertThat(status.get("loaded").toString()).doesNotContain(reward);
        assertThat(status.get("aliases").get("dpo").asText()).isEqualTo(dpo);
        assertThat(HTTP.get(url + "v1/models/dpo").body()).contains(dpo);
        assertThat(HTTP.get(url + "v1/models/" + reward).status()).isEqualTo(404);
    }

    /**
     * best_of: n answers sampled with seeds seed, seed+1, ... (each the very answer a plain request with that seed
     * gets), scored by the named reward model exactly as it scores them itself, the highest returned; bad requests
     * refused with the parameter named.
     */
    @Test
    void bestOfReturnsTheAnswerTheRewardModelScoresHighest() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String reward = "reward-best-" + run, small = "reward-small-" + run;
        GptConfig cfg = new GptConfig(TestModels.tokenizer.vocabSize(), 64, 2, 2, 64, 0f).withRewardHead(true);
        Checkpoint rewardCk = Checkpoint.weightsOnly(new Gpt(cfg, 1, 8), models.tokenizerId(), Map.of(), Map.of());
        byte[] blob = rewardCk.toBytes();
        byte[] smallBlob = Checkpoint.weightsOnly(
                        new Gpt(
                                new GptConfig(TestModels.tokenizer.vocabSize(), 16, 1, 1, 8, 0f).withRewardHead(true),
                                1,
                                9),
                        models.tokenizerId(),
                        Map.of(),
                        Map.of())
                .toBytes();
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            p.send(chunk(reward, 0, blob, Chunks.sha256Hex(blob)));
            p.send(manifest(reward, "reward", models.tokenizerId(), blob.length, 1, Chunks.sha256Hex(blob)));
            p.send(chunk(small, 0, smallBlob, Chunks.sha256Hex(smallBlob)));
            p.send(manifest(small, "reward", models.tokenizerId(), smallBlob.length, 1, Chunks.sha256Hex(smallBlob)))
                    .get();
        }
        waitForStatus(s -> s.get("rewardModels").toString().contains(reward)
                && s.get("rewardModels").toString().contains(small));

        String ask =
                "{\"model\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"%s\"}], \"temperature\": 1.5, "
                                .formatted(models.chatId(), TestModels.HELLO)
                        + "\"max_tokens\": 10, \"seed\": %d%s}";
        TestHttp.Reply r = HTTP.post(
                url + "v1/chat/completions",
                ask.formatted(11, ", \"best_of\": 3, \"reward_model\": \"" + reward + "\""));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode best = r.json();
        JsonNode candidates = best.at("/best_of/candidates");
        assertThat(candidates).hasSize(3);
        assertThat(best.at("/best_of/reward_model").asText()).isEqualTo(reward);
        assertThat(best.at("/choices/0/message/content").asText())
                .isEqualTo(candidates.get(0).get("content").asText());

        Gpt scorer = rewardCk.toModel(4);
        dev.scratchlm.bpe.ChatTemplate template = new dev.scratchlm.bpe.ChatTemplate(TestModels.tokenizer);
        List<dev.scratchlm.gpt.PreferenceGroup.Candidate> mine = new java.util.ArrayList<>();
        java.util.Set<Long> seeds = new java.util.TreeSet<>();
        double previous = Double.MAX_VALUE;
        for (JsonNode c : candidates) {
            long seed = c.get("seed").asLong();
            seeds.add(seed);
            String plain = HTTP.post(url + "v1/chat/completions", ask.formatted(seed, ""))
                    .json()
                    .at("/choices/0/message/content")
                    .asText();
            assertThat(c.get("content").asText()).as("seed " + seed).isEqualTo(plain);
            assertThat(c.get("score").asDouble()).as("best first").isLessThanOrEqualTo(previous);
            previous = c.get("score").asDouble();
            var rendered = template.render(List.of(
                    dev.scratchlm.bpe.ChatMessage.user(TestModels.HELLO),
                    dev.scratchlm.bpe.ChatMessage.assistant(c.get("content").asText())));
            mine.add(new dev.scratchlm.gpt.PreferenceGroup.Candidate(rendered.ids(), rendered.lossMask()));
        }
        assertThat(seeds).containsExactly(11L, 12L, 13L);
        float[] expected = dev.scratchlm.gpt.PreferenceTrainer.score(scorer, mine);
        for (int i = 0; i < expected.length; i++) {
            assertThat(candidates.get(i).get("score").asDouble())
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
        }

        assertThat(HTTP.get(url + "api/rewards").json().get("rewardModels").toString())
                .contains(reward, small);
        // The same scores through the scoring API the feedback-service's ai judge calls.
        StringBuilder answers = new StringBuilder();
        for (JsonNode c : candidates)
            answers.append(answers.length() == 0 ? "" : ",")
                    .append(c.get("content").toString());
        JsonNode scored = HTTP.post(
                        url + "api/rewards/score",
                        "{\"reward_model\": \"" + reward + "\", \"messages\": [{\"role\": \"user\", "
                                + "\"content\": \"" + TestModels.HELLO + "\"}], \"answers\": [" + answers + "]}")
                .json();
        for (int i = 0; i < expected.length; i++)
            assertThat(scored.at("/scores/" + i).asDouble())
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
        TestHttp.Reply noAnswers = HTTP.post(
                url + "api/rewards/score",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"answers\": []}");
        assertThat(noAnswers.status()).isEqualTo(400);
        assertThat(noAnswers.json().at("/error/param").asText()).isEqualTo("answers");

        for (String[] bad : new String[][] {
            {", \"best_of\": 3, \"stream\": true", "cannot be streamed"},
            {", \"best_of\": 9", "from 1 to 8"},
            {", \"best_of\": 2, \"reward_model\": \"no-such-reward\"", "is not loaded"},
            {", \"reward_model\": \"" + reward + "\"", "set best_of too"},
            {", \"best_of\": 2, \"reward_model\": \"" + small + "\"", "context of 16"}
        }) {
            TestHttp.Reply refused = HTTP.post(url + "v1/chat/completions", ask.formatted(1, bad[0]));
            assertThat(refused.status()).as(bad[0] + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.json().at("/error/message").asText()).contains(bad[1]);
        }
        TestHttp.Reply text = HTTP.post(
                url + "v1/completions",
                "{\"model\": \"%s\", \"prompt\": \"hi\", \"best_of\": 2}".formatted(models.baseId()));
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.json().at("/error/param").asText()).isEqualTo("best_of");
    }

    @Test
    void corruptedAndIncompleteCheckpointsAreIgnoredWithTheirReason() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String badSha = "bad-sha-" + run,
                missing = "missing-chunk-" + run,
                badChunk = "bad-chunk-" + run,
                good = "good-" + run;
        byte[] blob = randomCheckpoint(models.tokenizerId(), TestModels.tokenizer.vocabSize());
        byte[] a = Arrays.copyOfRange(blob, 0, blob.length / 2),
                b = Arrays.copyOfRange(blob, blob.length / 2, blob.length);
        String whole = Chunks.sha256Hex(blob);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            // Every chunk fine, but the manifest states another whole-blob checksum.
            p.send(chunk(badSha, 0, a, Chunks.sha256Hex(a)));
            p.send(chunk(badSha, 1, b, Chunks.sha256Hex(b)));
            p.send(manifest(badSha, "corrupt", models.tokenizerId(), blob.length, 2, "0".repeat(64)));
            // The second chunk never arrives.
            p.send(chunk(missing, 0, a, Chunks.sha256Hex(a)));
            p.send(manifest(missing, "corrupt", models.tokenizerId(), blob.length, 2, whole));
            // A chunk altered in flight: its own checksum fails.
            byte[] flipped = b.clone();
            flipped[10] ^= 1;
            p.send(chunk(badChunk, 0, a, Chunks.sha256Hex(a)));
            p.send(chunk(badChunk, 1, flipped, Chunks.sha256Hex(b)));
            p.send(manifest(badChunk, "corrupt", models.tokenizerId(), blob.length, 2, whole));
            // And a good one after them.
            p.send(chunk(good, 0, a, Chunks.sha256Hex(a)));
            p.send(chunk(good, 1, b, Chunks.sha256Hex(b)));
            p.send(manifest(good, "verified", models.tokenizerId(), blob.length, 2, whole))
                    .get();
        }
        JsonNode status = waitForStatus(s -> s.get("loaded").toString().contains(good));
        JsonNode rejected = status.get("rejected");
        assertThat(rejected.get(badSha).asText()).contains("sha256");
        assertThat(rejected.get(missing).asText()).contains("1 of 2 chunks");
        assertThat(rejected.get(badChunk).asText()).contains("fails its checksum");
        String list = HTTP.get(url + "v1/models").body();
        assertThat(list)
                .contains(good)
                .doesNotContain(badSha)
                .doesNotContain(missing)
                .doesNotContain(badChunk);
        assertThat(HTTP.get(url + "v1/models/" + badSha).status()).isEqualTo(404);
    }

    @Test
    void aCheckpointWaitsForItsTokenizer() throws Exception {
        // Same tokens plus one more special token: another tokenizer id, not published yet.
        Tokenizer later = TestModels.tokenizer.withSpecialTokens(List.of("<|late-" + UUID.randomUUID() + "|>"));
        TokenizerRecord record = TestModels.tokenizerRecord(later);
        String id = "waits-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] blob = randomCheckpoint(later.id(), later.vocabSize());
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            p.send(chunk(id, 0, blob, Chunks.sha256Hex(blob)));
            p.send(manifest(id, "waiting", later.id(), blob.length, 1, Chunks.sha256Hex(blob)))
                    .get();
            waitForStatus(s -> s.get("waitingForTokenizer").toString().contains(id));
            assertThat(HTTP.get(url + "v1/models/" + id)
                            .json()
                            .at("/error/message")
                            .asText())
                    .contains("tokenizer has not arrived");
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, record.id(), Json.bytes(record)))
                    .get();
        }
        waitForStatus(s -> s.get("loaded").toString().contains(id));
        assertThat(HTTP.get(url + "v1/models/" + id).status()).isEqualTo(200);
        assertThat(HTTP.post(
                                url + "v1/completions",
                                "{\"model\": \"" + id + "\", \"prompt\": \"The\", \"max_tokens\": 3}")
                        .status())
                .isEqualTo(200);
    }
}
