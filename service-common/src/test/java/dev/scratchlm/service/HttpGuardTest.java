package dev.scratchlm.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.devstack.DeclaredBody;
import dev.scratchlm.devstack.DevStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared HTTP pieces in a real Quarkus application (this module's test resource): tokens, cross-site refusals,
 * declared content types, the body limit and the one error body, which leaks nothing of a 500.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class HttpGuardTest {
    @TestHTTPResource("/")
    URL base;

    private TestHttp http() {
        return new TestHttp(base);
    }

    private TestHttp admin() {
        return http().withToken("second-token");
    }

    @Test
    void stateChangesNeedAValidTokenReadsDoNot() {
        TestHttp.Reply none = http().post("api/things", "{\"name\": \"x\"}");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/json");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(none.json().get("code").asText()).isEqualTo("missing_token");
        assertThat(none.error()).contains("Authorization: Bearer");
        TestHttp.Reply wrong = http().withToken("second-tokeN").post("api/things", "{\"name\": \"x\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("code").asText()).isEqualTo("invalid_token");
        assertThat(http().withToken("first-token")
                        .post("api/things", "{\"name\": \"x\"}")
                        .status())
                .isEqualTo(200);
        assertThat(admin().post("api/things", "{\"name\": \"x\"}")
                        .json()
                        .get("created")
                        .asText())
                .isEqualTo("x");
        assertThat(http().get("api/things").status()).isEqualTo(200);
        assertThat(http().post("api/things/count", "{}").status())
                .as("an open path")
                .isEqualTo(200);
    }

    @Test
    void pagesOfOtherSitesCannotChangeState() {
        TestHttp.Reply fetchMeta = admin().send(admin().request("api/things")
                .header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}")));
        assertThat(fetchMeta.status()).isEqualTo(403);
        assertThat(fetchMeta.json().get("code").asText()).isEqualTo("cross_site");
        TestHttp.Reply otherOrigin = admin().send(admin().request("api/things")
                .header("Content-Type", "application/json")
                .header("Origin", "http://evil.example:" + base.getPort())
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}")));
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(otherOrigin.error()).contains("http://evil.example");
        TestHttp.Reply otherPort = admin().send(admin().request("api/things")
                .header("Content-Type", "application/json")
                .header("Origin", "http://" + base.getHost() + ":" + (base.getPort() + 1))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(otherPort.status())
                .as("another port of the same host is another origin")
                .isEqualTo(403);
        TestHttp.Reply opaque = admin().send(admin().request("api/things/7/activate")
                .header("Content-Type", "application/json")
                .header("Origin", "null")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(opaque.status()).isEqualTo(403);
        // An open path is still protected from other sites: it is the browser, not the token, that is refused.
        TestHttp.Reply openButCrossSite = http().send(http().request("api/things/count")
                .header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(openButCrossSite.status()).isEqualTo(403);

        // The service's own pages, and configured origins, may.
        String own = "http://" + base.getHost() + ":" + base.getPort();
        for (String[] headers : new String[][] {
            {"Origin", own},
            {"Origin", "https://ui.example.org"},
            {"Sec-Fetch-Site", "same-origin"},
            {"Sec-Fetch-Site", "none"}
        }) {
            TestHttp.Reply ok = admin().send(admin().request("api/things")
                    .header("Content-Type", "application/json")
                    .header(headers[0], headers[1])
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}")));
            assertThat(ok.status()).as(headers[0] + ": " + headers[1]).isEqualTo(200);
        }
        // Reads are never refused for their origin: a page may link to them.
        TestHttp.Reply read = http().send(http().request("api/things")
                .header("Sec-Fetch-Site", "cross-site")
                .GET());
        assertThat(read.status()).isEqualTo(200);
    }

    @Test
    void stateChangesNeedTheirDeclaredContentType() {
        // What a browser sends cross-site without a preflight: a form, text/plain, or no body at all.
        expect415(admin().post("api/things", "text/plain", "{\"name\": \"x\"}".getBytes(StandardCharsets.UTF_8)));
        expect415(admin().post(
                        "api/things", "application/x-www-form-urlencoded", "name=x".getBytes(StandardCharsets.UTF_8)));
        expect415(admin().post("api/things", null, new byte[0]));
        expect415(admin().postFiles("api/things", Map.of("a.txt", new byte[] {1}), Map.of()));
        expect415(admin().post("api/things/7/activate", null, new byte[0]));
        expect415(admin().post("api/things/7/activate", "text/plain", new byte[0]));
        expect415(admin().post("api/things/count", "text/plain", "x".getBytes(StandardCharsets.UTF_8)));
        // Declared types pass: JSON (with a charset), an action with no body sent as JSON, and the declared upload.
        assertThat(admin().post(
                                "api/things",
                                "application/json; charset=utf-8",
                                "{\"name\": \"y\"}".getBytes(StandardCharsets.UTF_8))
                        .status())
                .isEqualTo(200);
        assertThat(admin().post("api/things/7/activate", "application/json", new byte[0])
                        .json()
                        .get("activated")
                        .asText())
                .isEqualTo("7");
        TestHttp.Reply upload = admin().postFiles(
                        "api/things/upload", Map.of("a.txt", new byte[] {1, 2}, "b.txt", new byte[] {3}), Map.of());
        assertThat(upload.status()).as(upload.body()).isEqualTo(200);
        assertThat(upload.json().get("files").asInt()).isEqualTo(2);
    }

    private static void expect415(TestHttp.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(415);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.json().get("code").asText()).isEqualTo("unsupported_media_type");
        assertThat(r.error()).contains("application/json");
    }

    @Test
    void errorsHaveOneShapeAndLeakNothing() throws Exception {
        TestHttp.Reply invalid = admin().post("api/things", "{}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("field").asText()).isEqualTo("name");
        assertThat(invalid.json().get("code").asText()).isEqualTo("invalid_value");
        TestHttp.Reply conflict = admin().post("api/things", "{\"name\": \"taken\"}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("hint").asText()).isEqualTo("pick another");

        TestHttp.Reply bug = admin().post("api/things", "{\"name\": \"bug\"}");
        assertThat(bug.status()).isEqualTo(500);
        assertThat(bug.json().get("code").asText()).isEqualTo("internal_error");
        assertThat(bug.body())
                .doesNotContain("secret_table")
                .doesNotContain("/home")
                .doesNotContain("IllegalState")
                .doesNotContain("relation");

        TestHttp.Reply notJson = admin().post("api/things", "{\"name\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("code").asText()).isEqualTo("malformed_json");
        TestHttp.Reply wrongType = admin().post("api/things", "{\"name\": \"x\", \"size\": \"big\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("field").asText()).isEqualTo("size");
        assertThat(wrongType.body()).doesNotContain("dev.scratchlm").doesNotContain("ThingsResource");

        TestHttp.Reply missing = http().get("api/nothing-here");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("no such endpoint: GET /api/nothing-here");
        TestHttp.Reply method = admin().send(admin().request("api/things")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().get("code").asText()).isEqualTo("method_not_allowed");

        DeclaredBody.Reply huge =
                DeclaredBody.post(base, "/api/things/upload", 65L << 10, "multipart/form-data; boundary=x");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith("application/json");
        JsonNode body = dev.scratchlm.contracts.Json.MAPPER.readTree(huge.body());
        assertThat(body.get("error").asText()).isEqualTo("the request body is 66560 bytes; the limit is 65536 bytes");
        assertThat(body.get("limit").asLong()).isEqualTo(65536);
    }

    @Test
    void readinessSaysTheTopicsExist() {
        TestHttp.Reply ready = http().get("q/health/ready");
        assertThat(ready.body()).contains("kafka-topics");
    }
}
