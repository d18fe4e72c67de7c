package dev.scratchlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With admin tokens set, changing state needs one; reading does not; other sites' pages may not upload. */
@QuarkusTest
@TestProfile(AdminAuthTest.WithAdminTokens.class)
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class AdminAuthTest {
    public static class WithAdminTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("scratchlm.http.tokens", "first-token,second-token");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void changesNeedAnAdminToken() {
        TestHttp http = new TestHttp(base);
        TestHttp.Reply anonymous = http.post("/api/ingest/sources", "{}");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).contains("json");
        assertThat(anonymous.error()).contains("Bearer");
        assertThat(http.withToken("wrong").post("/api/ingest/sources", "{}").status())
                .isEqualTo(401);
        // With a token the request reaches the resource, which judges the (deliberately incomplete) body.
        assertThat(http.withToken("second-token")
                        .post("/api/ingest/sources", "{}")
                        .status())
                .isBetween(400, 499)
                .isNotEqualTo(401);
        assertThat(http.postFiles("/api/ingest/files", Map.of("a.txt", "x".getBytes(StandardCharsets.UTF_8)), Map.of())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void readsStayOpen() {
        assertThat(new TestHttp(base).get("/api/ingest/stats").status()).isEqualTo(200);
    }

    @Test
    void anotherSitesPageCannotUploadOrPostDocuments() {
        TestHttp admin = new TestHttp(base).withToken("first-token");
        // A form post from another origin: multipart needs no CORS preflight, so the Origin check is what stops it.
        HttpRequest.Builder upload = admin.request("/api/ingest/files")
                .header("Origin", "http://evil.example")
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(
                        HttpRequest.BodyPublishers.ofString(
                                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx\r\n--b--\r\n"));
        TestHttp.Reply refused = admin.send(upload);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("cross_site");
        TestHttp.Reply textPlain =
                admin.post("/api/ingest/documents", "text/plain", "{\"text\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(textPlain.status()).isEqualTo(415);
        assertThat(textPlain.error()).contains("application/json");
    }
}
