package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With admin tokens set, changing state needs one; reading does not. */
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
        TestHttp.Reply anonymous = http.post("/api/tokenizers", "{\"vocabSize\": 100}");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).contains("json");
        assertThat(anonymous.error()).contains("Bearer");
        assertThat(http.withToken("wrong")
                        .post("/api/tokenizers", "{\"vocabSize\": 100}")
                        .status())
                .isEqualTo(401);
        // With a token the request reaches the resource, which judges the (deliberately incomplete) body.
        assertThat(http.withToken("second-token")
                        .post("/api/tokenizers", "{\"vocabSize\": 100}")
                        .status())
                .isBetween(400, 499)
                .isNotEqualTo(401);
        assertThat(http.post("/api/tokenizers/any/activate", "").status()).isEqualTo(401);
    }

    @Test
    void readsStayOpen() {
        assertThat(new TestHttp(base).get("/api/tokenizers").status()).isEqualTo(200);
    }

    @Test
    void tokenizingATextChangesNothingAndStaysOpen() {
        assertThat(new TestHttp(base)
                        .post("/api/tokenize", "{\"text\": \"hello\", \"tokenizer\": \"cl100k_base\"}")
                        .status())
                .isEqualTo(200);
    }
}
