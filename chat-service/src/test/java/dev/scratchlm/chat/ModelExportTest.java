package dev.scratchlm.chat;

import dev.scratchlm.bundle.ModelBundle;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url + "api/models/" + p.chatId() + "/export")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/x-tar");
        assertThat(r.headers().firstValue("content-disposition").orElse("")).contains(p.chatId() + ".tar");
        Path tar = dir.resolve("m.tar");
        Files.write(tar, r.body());
        Process untar = new ProcessBuilder("tar", "xf", tar.toString(), "-C", dir.toString()).redirectErrorStream(true).start();
        String out = new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(untar.waitFor()).as(out).isZero();

        Path bundle = dir.resolve(p.chatId());
        for (String f : ModelBundle.files()) assertThat(bundle.resolve(f)).isRegularFile();
        ModelBundle.Imported back = ModelBundle.read(bundle, Map.of());
        assertThat(back.tokenizer().id()).isEqualTo(p.tokenizerId());
        var card = HTTP.get(url + "api/models/" + p.chatId() + "/card").json();
        assertThat((long) back.checkpoint().weights().length).isEqualTo(card.get("parameters").get("total").asLong());
        assertThat(back.checkpoint().config().nLayer()).isEqualTo(card.get("architecture").get("layers").asInt());
        // The card states the job's cutoff and what it selected.
        assertThat(card.at("/data/cutoff").asText()).isEqualTo("2024-06-30");
        assertThat(card.at("/data/selectedDocuments").asInt()).isEqualTo(5);
        assertThat(card.at("/data/newestTrainedDate").asText()).isEqualTo("2024-05-31");
        assertThat(Files.readString(bundle.resolve("tokenizer_config.json"))).contains("chat_template");
    }

    @Test
    void unknownModelIsA404WithAReason() {
        TestHttp.Reply r = HTTP.get(url + "api/models/no-such-model/export");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("no-such-model");
    }
}
