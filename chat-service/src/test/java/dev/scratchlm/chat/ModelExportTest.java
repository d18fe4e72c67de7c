package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bundle.ModelBundle;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/models/{id}/export}: the served model as a tar that unpacks into a bundle that reads back. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class ModelExportTest {
    private static final TestHttp HTTP = new TestHttp();

    @TestHTTPResource("/")
    URL url;

    @Test
    void exportIsATarOfTheServedModel(@TempDir Path dir) throws Exception {
        TestModels.Published p = ServedModels.ready(url.toString());
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url + "api/models/" + p.chatId() + "/export"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/x-tar");
        assertThat(r.headers().firstValue("content-disposition").orElse("")).contains(p.chatId() + ".tar");
        Path tar = dir.resolve("m.tar");
        Files.write(tar, r.body());
        Process untar = new ProcessBuilder("tar", "xf", tar.toString(), "-C", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(untar.waitFor()).as(out).isZero();

        Path bundle = dir.resolve(p.chatId());
        for (String f : ModelBundle.files(true)) assertThat(bundle.resolve(f)).isRegularFile();
        ModelBundle.Imported back = ModelBundle.read(bundle, Map.of());
        assertThat(back.tokenizer().id()).isEqualTo(p.tokenizerId());
        var card = HTTP.get(url + "api/models/" + p.chatId() + "/card").json();
        assertThat((long) back.checkpoint().weights().length)
                .isEqualTo(card.get("parameters").get("total").asLong());
        assertThat(back.checkpoint().config().nLayer())
                .isEqualTo(card.get("architecture").get("layers").asInt());
        // The card states the job's cutoff and what it selected.
        assertThat(card.at("/data/cutoff").asText()).isEqualTo("2024-06-30");
        assertThat(card.at("/data/selectedDocuments").asInt()).isEqualTo(5);
        assertThat(card.at("/data/newestTrainedDate").asText()).isEqualTo("2024-05-31");
        assertThat(Files.readString(bundle.resolve("tokenizer_config.json"))).contains("chat_template");
        // The exported card is the live card plus what only an export reads: the data's sources.
        var exported = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(bundle.resolve("model-card.json").toFile());
        assertThat(exported.get("id").asText()).isEqualTo(p.chatId());
        assertThat(exported.get("architecture")).isEqualTo(card.get("architecture"));
        assertThat(exported.get("training")).isEqualTo(card.get("training"));
        assertThat(exported.at("/data/sources").isArray()).isTrue();
        assertThat(card.at("/data/sources").isTextual())
                .as("the live card says where the sources are")
                .isTrue();
        assertThat(Files.readString(bundle.resolve("MODEL_CARD.md")))
                .contains("# Model card: " + p.chatId(), "## 4. Training method");

        // Back in through ./scratchlm import: the chat loads the import and serves it with the same logprobs.
        var imported = dev.scratchlm.bundle.ImportMain.publish(
                bundle, dev.scratchlm.devstack.SharedDevStack.get().bootstrapServers());
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!HTTP.get(url + "v1/models").body().contains(imported.checkpointId())) {
            assertThat(System.nanoTime()).as("the chat loads the import").isLessThan(deadline);
            Thread.sleep(100);
        }
        String ask =
                "{\"model\": \"%s\", \"prompt\": \"The cat\", \"max_tokens\": 8, \"temperature\": 0, \"logprobs\": 3}";
        var a = HTTP.post(url + "v1/completions", ask.formatted(p.chatId()))
                .json()
                .at("/choices/0");
        var b = HTTP.post(url + "v1/completions", ask.formatted(imported.checkpointId()))
                .json()
                .at("/choices/0");
        assertThat(b.get("text").asText()).isEqualTo(a.get("text").asText());
        assertThat(b.at("/logprobs/token_logprobs")).isEqualTo(a.at("/logprobs/token_logprobs"));
        assertThat(b.at("/logprobs/top_logprobs")).isEqualTo(a.at("/logprobs/top_logprobs"));
        assertThat(HTTP.get(url + "api/models/imported/card").json().get("id").asText())
                .isEqualTo(imported.checkpointId());
    }

    @Test
    void unknownModelIsA404WithAReason() {
        TestHttp.Reply r = HTTP.get(url + "api/models/no-such-model/export");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("no-such-model");
    }
}
