package dev.scratchlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.instruct.InstructionImport;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** POST /api/instructions end to end: the real broker and PostgreSQL, examples read back from the topic. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IngestTestResource.class, restrictToAnnotatedClass = false)
class InstructionImportApiTest {
    @TestHTTPResource("/")
    URL base;

    private static String bootstrap() {
        return SharedDevStack.get().bootstrapServers();
    }

    private static List<String> devsetLines() throws Exception {
        Path csv = Path.of(System.getProperty("scratchlm.data", "../testdata"), "e2e", "devset.csv");
        return Files.readAllLines(csv, StandardCharsets.UTF_8);
    }

    /** A small tokenizer with (or without) the chat template's special tokens, put on the tokenizers topic. */
    private static String publishTokenizer(boolean chatTokens) throws Exception {
        List<String> texts = devsetLines().subList(1, 400);
        BpeTrainer.Config config = chatTokens
                ? BpeTrainer.Config.of(400, NumberPolicy.SINGLE)
                : new BpeTrainer.Config(400, SplitPattern.forNumberPolicy(NumberPolicy.SINGLE), List.of(), 2);
        Tokenizer t = BpeTrainer.train(texts, config);
        String id = "tok-" + UUID.randomUUID();
        TokenizerRecord r = new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                id,
                t.vocabSize(),
                "single",
                "single",
                t.specialTokens(),
                ScratchFormat.toText(t),
                Map.of(),
                Instant.now());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap()))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, id, Json.bytes(r))).get();
        }
        return id;
    }

    /** Every example of {@code dataset} on the topic, read from the start until none arrived for {@code settle}. */
    private static List<ConsumerRecord<String, byte[]>> onTopic(String dataset, int atLeast, Duration settle) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap(), "verify-" + UUID.randomUUID()))) {
            c.subscribe(List.of(Topics.INSTRUCTIONS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (Json.read(r.value(), InstructionExample.class).dataset().equals(dataset)) out.add(r);
                }
                if (quietUntil == Long.MAX_VALUE && out.size() >= atLeast)
                    quietUntil = System.nanoTime() + settle.toNanos();
            }
        }
        return out;
    }

    @Test
    void anE2eFileLandsOnTheTopicOnceAndIsCatalogued() throws Exception {
        TestHttp http = new TestHttp(base);
        String tokenizer = publishTokenizer(true);
        List<String> lines = devsetLines();
        StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
        for (String l : lines.subList(1, 201)) csv.append(l).append('\n');
        csv.append("\"name[Broken], eatType[pub\",A broken MR.\n");
        csv.append(lines.get(1)).append('\n'); // an exact duplicate of the first row
        String dataset = "e2e-api-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] body = csv.toString().getBytes(StandardCharsets.UTF_8);
        String path = "/api/instructions?dataset=" + dataset + "&format=e2e&tokenizer=" + tokenizer + "&context=512";

        TestHttp.Reply first = http.post(path, "text/csv", body);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        JsonNode a = first.json();
        int accepted = a.get("accepted").asInt();
        // 200 references x 2 prompt forms, less the development set's own repeated (MR, reference) pairs and the
        // duplicate row appended above: what the library makes of the same file.
        InstructionImport.Result expected = new InstructionImport(null, 0).read(dataset, "e2e", csv.toString());
        assertThat(accepted).isEqualTo(expected.accepted().size()).isBetween(380, 398);
        assertThat(a.get("published").asInt()).isEqualTo(accepted);
        assertThat(a.get("lengthChecked").asBoolean()).isTrue();
        assertThat(a.get("rejectedByReason").get("malformed").asInt()).isEqualTo(1);
        assertThat(a.get("rejectedByReason").get("duplicate").asInt())
                .isEqualTo(402 - accepted); // 201 rows of examples, two each
        assertThat(a.get("rejectedByReason").has("too-long")).isFalse();
        JsonNode broken = null;
        for (JsonNode rej : a.get("rejections")) if (rej.get("reason").asText().equals("malformed")) broken = rej;
        assertThat(broken).isNotNull();
        assertThat(broken.get("record").asLong()).isEqualTo(201);
        assertThat(broken.get("detail").asText()).contains("name[Broken");

        List<ConsumerRecord<String, byte[]>> records = onTopic(dataset, accepted, Duration.ofSeconds(2));
        assertThat(records).hasSize(accepted);
        Map<String, Set<String>> splitsByMr = new HashMap<>();
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            InstructionExample e = Json.read(r.value(), InstructionExample.class);
            assertThat(r.key()).isEqualTo(e.id());
            assertThat(e.schema()).isEqualTo(InstructionExample.SCHEMA);
            assertThat(e.format()).isEqualTo("e2e");
            keys.add(r.key());
            splitsByMr.computeIfAbsent(e.group(), k -> new HashSet<>()).add(e.split());
        }
        assertThat(keys).hasSize(accepted);
        assertThat(splitsByMr.values()).allSatisfy(s -> assertThat(s).hasSize(1));

        // The same file again: recognized, nothing published twice.
        TestHttp.Reply again = http.post(path, "text/csv", body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("created").asBoolean()).isFalse();
        assertThat(again.json().get("published").asInt()).isZero();
        // A bigger file with the same examples plus more: only the new ones go out.
        String bigger = csv + lines.get(4000) + "\n"; // an MR and reference not in the first 200 rows
        TestHttp.Reply more = http.post(path, "text/csv", bigger.getBytes(StandardCharsets.UTF_8));
        assertThat(more.status()).isEqualTo(201);
        assertThat(more.json().get("published").asInt()).isEqualTo(2);
        assertThat(more.json().get("alreadyKnown").asInt()).isEqualTo(accepted);
        assertThat(onTopic(dataset, accepted + 2, Duration.ofSeconds(3))).hasSize(accepted + 2);

        JsonNode catalog = http.get("/api/instructions").json();
        long train = 0, heldout = 0;
        for (JsonNode n : catalog.get("examples")) {
            if (!n.get("dataset").asText().equals(dataset)) continue;
            if (n.get("split").asText().equals("train"))
                train = n.get("examples").asLong();
            else heldout = n.get("examples").asLong();
        }
        assertThat(train + heldout).isEqualTo(accepted + 2);
        assertThat(heldout).isPositive();
        assertThat(train).isGreaterThan(heldout);
        boolean malformedCounted = false;
        for (JsonNode n : catalog.get("rejections")) {
            if (n.get("dataset").asText().equals(dataset)
                    && n.get("reason").asText().equals("malformed")) {
                malformedCounted = true;
                assertThat(n.get("count").asLong())
                        .isEqualTo(2); // once per distinct import (the first and the bigger file)
            }
        }
        assertThat(malformedCounted).isTrue();
    }

    @Test
    void tooLongExamplesAreRefusedWithTheirLengthAndBadRequestsSayWhy() throws Exception {
        TestHttp http = new TestHttp(base);
        String tokenizer = publishTokenizer(true);
        String dataset = "chat-" + UUID.randomUUID().toString().substring(0, 8);
        String jsonl =
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello.\"}]}\n"
                        + "{\"messages\": [{\"role\": \"user\", \"content\": \"Talk\"}, {\"role\": \"assistant\", \"content\": \""
                        + "restaurant ".repeat(200) + "\"}]}\n"
                        + "{\"messages\": [{\"role\": \"user\", \"content\": \"Only asking\"}]}\n";
        TestHttp.Reply r = http.post(
                "/api/instructions?dataset=" + dataset + "&format=openai&tokenizer=" + tokenizer + "&context=64",
                "application/jsonl",
                jsonl.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
        JsonNode rejections = r.json().get("rejections");
        assertThat(rejections.get(0).get("reason").asText()).isEqualTo("too-long");
        assertThat(rejections.get(0).get("detail").asText())
                .matches("\\d+ tokens with the chat template, more than the context of 64 .*");
        assertThat(rejections.get(1).get("reason").asText()).isEqualTo("no-assistant-turn");

        TestHttp.Reply unknownFormat =
                http.post("/api/instructions?dataset=x&format=yaml", "application/octet-stream", "a".getBytes());
        assertThat(unknownFormat.status()).isEqualTo(400);
        assertThat(unknownFormat.json().get("error").asText()).contains("unknown format");
        assertThat(http.post("/api/instructions?format=e2e", "text/csv", "mr,ref\n".getBytes())
                        .status())
                .isEqualTo(400);
        TestHttp.Reply notJson = http.post(
                "/api/instructions?dataset=x&format=alpaca", "application/json", "[{\"instruction\"".getBytes());
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("code").asText()).isEqualTo("bad_instruction_file");
        TestHttp.Reply noTokenizer = http.post(
                "/api/instructions?dataset=x&format=openai&tokenizer=nope&context=64",
                "application/jsonl",
                jsonl.getBytes(StandardCharsets.UTF_8));
        assertThat(noTokenizer.status()).isEqualTo(404);
        String plain = publishTokenizer(false);
        TestHttp.Reply noChatTokens = http.post(
                "/api/instructions?dataset=x&format=openai&tokenizer=" + plain + "&context=64",
                "application/jsonl",
                jsonl.getBytes(StandardCharsets.UTF_8));
        assertThat(noChatTokens.status()).isEqualTo(400);
        assertThat(noChatTokens.json().get("error").asText()).contains("<|end|>");
        TestHttp.Reply latin1 = http.post(
                "/api/instructions?dataset=x&format=openai", "application/jsonl", new byte[] {'{', (byte) 0xE9, '}'});
        assertThat(latin1.status()).isEqualTo(400);
        assertThat(http.post(
                                "/api/instructions?dataset=x&format=openai&context=64",
                                "application/jsonl",
                                jsonl.getBytes())
                        .status())
                .isEqualTo(400);
    }
}
