package dev.scratchlm.trainer;

import dev.scratchlm.devstack.DevStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With admin tokens set, changing state needs one; reading does not. */
@QuarkusTest
@TestProfile(AdminAuthTest.WithAdminTokens.class)
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class AdminAuthTest {
    public static class WithAdminTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("scratchlm.admin-tokens", "first-token,second-token");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void changesNeedAnAdminToken() throws Exception {
        HttpResponse<String> anonymous = post("/api/jobs", "{}", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(anonymous.body()).contains("Bearer");
        assertThat(post("/api/jobs", "{}", "wrong").statusCode()).isEqualTo(401);
        // With a token the request reaches the resource, which judges the (deliberately incomplete) body.
        assertThat(post("/api/jobs", "{}", "second-token").statusCode()).isBetween(400, 499).isNotEqualTo(401);
    }

    @Test
    void readsStayOpen() throws Exception {
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("/api/jobs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
    }
}
