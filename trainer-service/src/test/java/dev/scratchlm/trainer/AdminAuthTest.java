package dev.scratchlm.trainer;

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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With admin tokens set, changing state needs one; reading does not; a page of another site can stop nothing. */
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
        TestHttp.Reply anonymous = http.post("/api/jobs", "{}");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).contains("json");
        assertThat(anonymous.error()).contains("Bearer");
        assertThat(http.withToken("wrong").post("/api/jobs", "{}").status()).isEqualTo(401);
        // With a token the request reaches the resource, which judges the (deliberately incomplete) body.
        assertThat(http.withToken("second-token").post("/api/jobs", "{}").status())
                .isBetween(400, 499)
                .isNotEqualTo(401);
    }

    @Test
    void readsStayOpen() {
        assertThat(new TestHttp(base).get("/api/jobs").status()).isEqualTo(200);
    }

    @Test
    void stoppingNeedsJsonAndThisSitesPage() {
        TestHttp admin = new TestHttp(base).withToken("first-token");
        // A form or fetch from another page can send a bodiless POST without a preflight: refused for its type ...
        TestHttp.Reply bare = admin.post("/api/jobs/no-such-job/stop", null, new byte[0]);
        assertThat(bare.status()).isEqualTo(415);
        assertThat(bare.error()).contains("application/json");
        // ... and for its origin.
        TestHttp.Reply crossSite = admin.send(admin.request("/api/jobs/no-such-job/stop")
                .header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(crossSite.status()).isEqualTo(403);
        // The dashboard's own request reaches the resource.
        TestHttp.Reply own = admin.send(admin.request("/api/jobs/no-such-job/stop")
                .header("Content-Type", "application/json")
                .header("Origin", "http://" + base.getHost() + ":" + base.getPort())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(own.status()).isEqualTo(404);
        assertThat(own.error()).contains("no job no-such-job");
    }
}
