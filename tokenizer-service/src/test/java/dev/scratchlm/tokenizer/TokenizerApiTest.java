package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DeclaredBody;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The service end to end on the real broker and database: documents in, train, activate, shards out, API errors. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenizerApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static String firstId;
    private static Tokenizer first;

    @TestHTTPResource("/")
    URL url;

    TestHttp http;
    String bootstrap;

    @BeforeEach
    void client() {
        http = new TestHttp(url);
        bootstrap = SharedDevStack.get().bootstrapServers();
    }

    private void awaitSampled() {
        int onTopic = TestData.documentsOnTopic(bootstrap).size();
        TestData.await(
                "the sample to catch up with " + onTopic + " documents",
                Duration.ofSeconds(60),
                () -> http.get("/api/corpus").json().get("documents").asInt() >= onTopic);
    }

    private JsonNode awaitAllTokenized(String id) {
        Map<String, Document> docs = TestData.documentsOnTopic(bootstrap);
        TestData.await(
                "tokenizer " + id + " to encode all " + docs.size() + " documents",
                Duration.ofSeconds(120),
                () -> http.get("/api/tokenizers/" + id)
                                .json()
                                .get("documentsTokenized")
                                .asInt()
                        >= docs.size());
        return http.get("/api/tokenizers/" + id).json();
    }

    private Tokenizer exported(String id) {
        TestHttp.Reply r = http.get("/api/tokenizers/" + id + "/export?format=scratchlm");
        assertThat(r.status()).isEqualTo(200);
        return ScratchFormat.fromText(r.body());
    }

    private void assertError(TestHttp.Reply r, int status, String fragment) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.json().has("error")).as(r.body()).isTrue();
        assertThat(r.json().get("error").asText()).contains(fragment);
    }

    @Test
    @Order(1)
    void trainActivateAndEncodeEveryDocumentExactlyOnce() {
        List<Document> docs = new ArrayList<>(TestData.documents("api-" + RUN, 0, 1200, "xx"));
        TestData.produce(bootstrap, docs);
        awaitSampled();

        TestHttp.Reply trained =
                http.post("/api/tokenizers", Map.of("vocabSize", 1024, "numbers", "single", "name", "test single"));
        assertThat(trained.status()).as(trained.body()).isEqualTo(201);
        JsonNode t = trained.json();
        firstId = t.get("id").asText();
        assertThat(firstId).matches("[0-9a-f]{16}");
        assertThat(t.get("vocabSize").asInt()).isBetween(600, 1024);
        assertThat(t.get("numberPolicy").asText()).isEqualTo("single");
        assertThat(t.get("pattern").asText()).isEqualTo("cl100k-single-digits");
        assertThat(t.get("specialTokens").has("<|endoftext|>")).isTrue();
        assertThat(t.get("trainingDocuments").asLong()).isPositive();
        assertThat(t.get("valBytesPerToken").asDouble())
                .as("bytes per token on held-out documents")
                .isBetween(1.5, 6.0);
        assertThat(t.get("training").get("validation").get("documents").asLong())
                .isPositive();

        TestHttp.Reply again =
                http.post("/api/tokenizers", Map.of("vocabSize", 1024, "numbers", "single", "name", "test single"));
        assertThat(again.status())
                .as("the same sample and settings give the same tokenizer")
                .isEqualTo(200);
        assertThat(again.json().get("id").asText()).isEqualTo(firstId);
        assertThat(again.json().get("created").asBoolean()).isFalse();

        TestHttp.Reply activated = http.post("/api/tokenizers/" + firstId + "/activate", "");
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        assertThat(activated.json().get("active").asBoolean()).isTrue();

        first = exported(firstId);
        assertThat(first.id()).isEqualTo(firstId);
        JsonNode detail = awaitAllTokenized(firstId);
        Map<String, Document> onTopic = TestData.documentsOnTopic(bootstrap);
        List<TestData.At<TokenShard>> shards = TestData.shards(bootstrap, firstId, true);
        TestData.assertEveryDocumentExactlyOnce(shards, onTopic, first);

        long tokens = shards.stream().mapToLong(s -> s.value().tokenCount()).sum();
        assertThat(detail.get("shardsTotal").asLong()).isEqualTo(shards.size());
        assertThat(detail.get("trainTokens").asLong() + detail.get("valTokens").asLong())
                .isEqualTo(tokens);
        long valDocs = onTopic.keySet().stream().filter(Split::isVal).count();
        assertThat(detail.get("shards").get("val").get("documents").asLong()).isEqualTo(valDocs);
        assertThat(valDocs)
                .as("about 1 in 20 documents is held out")
                .isBetween(onTopic.size() / 40L, onTopic.size() / 10L);
        assertThat(detail.get("documentsSeen").asLong()).isEqualTo(onTopic.size());

        // The tokenizers topic carries exactly this tokenizer for the trainer and chat.
        TokenizerRecord record = null;
        for (ConsumerRecord<String, byte[]> r : TestData.readAll(bootstrap, Topics.TOKENIZERS, true)) {
            if (firstId.equals(r.key())) record = Json.read(r.value(), TokenizerRecord.class);
        }
        assertThat(record).isNotNull();
        assertThat(ScratchFormat.fromText(record.definition()).id()).isEqualTo(firstId);
        assertThat(record.numberPolicy()).isEqualTo("single");
        assertThat(record.vocabSize()).isEqualTo(first.vocabSize());
    }

    @Test
    @Order(2)
    void activatingAnotherTokenizerReencodesEveryPastDocument() {
        TestHttp.Reply trained = http.post("/api/tokenizers", Map.of("vocabSize", 800, "numbers", "groups-of-3"));
        assertThat(trained.status()).as(trained.body()).isEqualTo(201);
        assertThat(trained.json().get("autoActivated").asBoolean())
                .as("one is active already")
                .isFalse();
        String secondId = trained.json().get("id").asText();
        assertThat(trained.json().get("name").asText()).isEqualTo("v800-groups-of-3");

        assertThat(http.post("/api/tokenizers/" + secondId + "/activate", "").status())
                .isEqualTo(200);
        awaitAllTokenized(secondId);
        Tokenizer second = exported(secondId);
        TestData.assertEveryDocumentExactlyOnce(
                TestData.shards(bootstrap, secondId, true), TestData.documentsOnTopic(bootstrap), second);

        JsonNode list = http.get("/api/tokenizers").json();
        assertThat(list.get("active").asText()).isEqualTo(secondId);
        assertThat(http.get("/api/tokenizers/" + firstId).json().get("active").asBoolean())
                .isFalse();

        // New documents go to the active tokenizer only.
        long firstBefore = http.get("/api/tokenizers/" + firstId)
                .json()
                .get("documentsTokenized")
                .asLong();
        TestData.produce(bootstrap, TestData.documents("late-" + RUN, 0, 30, "xx"));
        awaitAllTokenized(secondId);
        assertThat(http.get("/api/tokenizers/" + firstId)
                        .json()
                        .get("documentsTokenized")
                        .asLong())
                .isEqualTo(firstBefore);
    }

    @Test
    @Order(3)
    void tokenizeReturnsPiecesThatRebuildTheTextWithTheTokenizersIds() {
        String text = "Madam President, 94569 + 32458 = 127027 — café 東京 <|endoftext|>";
        TestHttp.Reply r = http.post("/api/tokenize", Map.of("text", text, "tokenizer", firstId));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        int[] expected = first.encodeOrdinary(text);
        JsonNode pieces = body.get("pieces");
        assertThat(body.get("tokenCount").asInt()).isEqualTo(expected.length).isEqualTo(pieces.size());
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder hex = new StringBuilder();
        int at = 0;
        for (int i = 0; i < pieces.size(); i++) {
            JsonNode p = pieces.get(i);
            assertThat(p.get("id").asInt()).isEqualTo(expected[i]);
            assertThat(p.get("start").asInt()).isEqualTo(at);
            at = p.get("end").asInt();
            hex.append(p.get("bytes").asText());
            assertThat(p.has("special"))
                    .as("typed special-token text stays plain text")
                    .isFalse();
        }
        assertThat(hex.toString()).isEqualTo(HexFormat.of().formatHex(utf8));
        assertThat(body.get("bytes").asInt()).isEqualTo(utf8.length);
        assertThat(body.get("characters").asInt()).isEqualTo(text.codePointCount(0, text.length()));

        JsonNode special = http.post("/api/tokenize", Map.of("text", text, "tokenizer", firstId, "allowSpecial", true))
                .json();
        JsonNode last = special.get("pieces").get(special.get("pieces").size() - 1);
        assertThat(last.get("special").asBoolean()).isTrue();
        assertThat(last.get("id").asInt()).isEqualTo(first.specialId("<|endoftext|>"));

        JsonNode byActive = http.post("/api/tokenize", Map.of("text", "hello")).json();
        assertThat(byActive.get("tokenizer").asText())
                .isEqualTo(http.get("/api/tokenizers").json().get("active").asText());
    }

    /** The visualizer's preset: how digit grouping differs between number policies. */
    @Test
    @Order(4)
    void numberPoliciesSplitDigitsDifferently() {
        String sum = "94569 + 32458 = 127027";
        assertThat(digitPieces(sum, "cl100k_base-single-digits")).allMatch(p -> p.length() == 1);
        assertThat(digitPieces(sum, firstId)).as("our single-digit tokenizer").allMatch(p -> p.length() == 1);
        List<String> groups = digitPieces(sum, "cl100k_base");
        assertThat(groups).allMatch(p -> p.length() <= 3).anyMatch(p -> p.length() == 3);
        assertThat(String.join("", groups)).isEqualTo("945693245812702" + "7");
        List<String> gpt2 = digitPieces(sum, "r50k_base");
        assertThat(String.join("", gpt2)).isEqualTo("9456932458127027");
        assertThat(gpt2).isNotEqualTo(groups);
    }

    private List<String> digitPieces(String text, String tokenizer) {
        TestHttp.Reply r = http.post("/api/tokenize", Map.of("text", text, "tokenizer", tokenizer));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode p : r.json().get("pieces")) {
            String digits = p.get("text").asText().replaceAll("[^0-9]", "");
            if (!digits.isEmpty()) out.add(digits);
        }
        return out;
    }

    @Test
    @Order(5)
    void exportsInEveryFormat() {
        TestHttp.Reply tiktoken = http.get("/api/tokenizers/" + firstId + "/export?format=tiktoken");
        assertThat(tiktoken.status()).isEqualTo(200);
        assertThat(tiktoken.body().split("\n")).hasSize(first.mergeableCount());
        TestHttp.Reply hf = http.get("/api/tokenizers/" + firstId + "/export?format=huggingface");
        assertThat(hf.status()).isEqualTo(200);
        assertThat(hf.json().get("model").get("vocab").size()).isEqualTo(first.mergeableCount());
        assertThat(http.get("/api/tokenizers/cl100k_base/export?format=tiktoken")
                        .body()
                        .split("\n"))
                .hasSize(100256);
        assertError(
                http.get("/api/tokenizers/r50k_base/export?format=scratchlm"), 422, "cannot be exported as scratchlm");
        assertError(http.get("/api/tokenizers/" + firstId + "/export?format=zip"), 400, "format must be one of");
    }

    @Test
    @Order(6)
    void listShowsTrainedAndReferenceTokenizers() {
        JsonNode list = http.get("/api/tokenizers").json();
        assertThat(list.get("tokenizers").findValuesAsText("id")).contains(firstId);
        assertThat(list.get("reference").findValuesAsText("id"))
                .containsExactly("r50k_base", "cl100k_base", "cl100k_base-single-digits");
        JsonNode cl100k = http.get("/api/tokenizers/cl100k_base").json();
        assertThat(cl100k.get("vocabSize").asInt()).isEqualTo(100277);
        assertThat(cl100k.get("kind").asText()).isEqualTo("reference");
    }

    @Test
    @Order(7)
    void badInputGetsAClearJsonError() throws Exception {
        TestHttp.Reply small = http.post("/api/tokenizers", Map.of("vocabSize", 100, "numbers", "single"));
        assertError(small, 400, "minimum is 261");
        assertThat(small.json().get("minimum").asInt()).isEqualTo(261);
        assertError(
                http.post("/api/tokenizers", Map.of("vocabSize", 70000, "numbers", "single")), 400, "maximum is 65536");
        assertError(
                http.post("/api/tokenizers", Map.of("vocabSize", 4096, "numbers", "decimal")),
                400,
                "unknown number policy 'decimal'");
        assertError(http.post("/api/tokenizers", Map.of("vocabSize", 4096)), 400, "numbers is required");
        assertError(http.post("/api/tokenizers", Map.of("numbers", "single")), 400, "vocabSize is required");
        assertError(
                http.post("/api/tokenizers", "{\"vocabSize\": \"many\", \"numbers\": \"single\"}"),
                400,
                "not valid JSON");
        assertError(http.post("/api/tokenizers", "this is not json"), 400, "not valid JSON");
        assertError(http.post("/api/tokenizers", ""), 400, "JSON body is required");
        assertError(
                http.post(
                        "/api/tokenizers",
                        Map.of("vocabSize", 4096, "numbers", "single", "languages", List.of("English!"))),
                400,
                "ISO 639");
        assertError(
                http.post("/api/tokenizers", Map.of("vocabSize", 4096, "numbers", "single", "sampleBytes", 10)),
                400,
                "sampleBytes");
        long seen = http.get("/api/corpus").json().get("documents").asLong();
        TestHttp.Reply noDocs = http.post(
                "/api/tokenizers", Map.of("vocabSize", 4096, "numbers", "single", "languages", List.of("zz")));
        if (seen == 0) { // this test ran alone: the corpus is empty
            assertError(noDocs, 409, "no documents seen yet");
        } else {
            assertError(noDocs, 409, "no training documents in [zz]");
            assertThat(noDocs.json().get("documentsByLanguage").has("xx")).isTrue();
        }

        assertError(http.get("/api/tokenizers/0123456789abcdef"), 404, "unknown tokenizer");
        assertError(http.post("/api/tokenizers/0123456789abcdef/activate", ""), 404, "unknown tokenizer");
        assertError(http.post("/api/tokenizers/r50k_base/activate", ""), 409, "comparison only");
        assertError(
                http.post("/api/tokenize", Map.of("text", "x", "tokenizer", "nope")), 404, "unknown tokenizer 'nope'");
        assertError(http.post("/api/tokenize", Map.of("tokenizer", "r50k_base")), 400, "text is required");
        TestHttp.Reply big = http.post("/api/tokenize", Map.of("text", "x".repeat(65_537), "tokenizer", "r50k_base"));
        assertError(big, 413, "limit is 65536 bytes");
        // Within the bytes but too many pieces (" x" is one token): refused, not answered with 30,000 objects.
        TestHttp.Reply many = http.post("/api/tokenize", Map.of("text", " x".repeat(30_000), "tokenizer", "r50k_base"));
        assertError(many, 413, "the limit is 16384 pieces");
        assertThat(http.post("/api/tokenize", Map.of("text", " x".repeat(16_000), "tokenizer", "r50k_base"))
                        .status())
                .isEqualTo(200);
        // Over the 8 MB body limit: refused from the headers alone, still as JSON.
        DeclaredBody.Reply huge = DeclaredBody.post(url, "/api/tokenize", 9L << 20, "application/json");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith("application/json");
        assertThat(huge.body()).contains("the limit is 8388608 bytes");
        assertError(http.get("/api/nothing-here"), 404, "no such endpoint");
    }
}
