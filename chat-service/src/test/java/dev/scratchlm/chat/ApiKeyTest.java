package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With CHAT_API_KEYS set, every API call needs one of the keys; the page itself stays reachable. */
@QuarkusTest
@TestProfile(ApiKeyTest.WithKeys.class)
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class ApiKeyTest {
    private static final TestHttp HTTP = new TestHttp();
    static final String KEY = "sk-test-" + "0123456789";

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("scratchlm.http.tokens", "other-key, " + KEY);
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Test
    void apiNeedsAKeyInOpenAisShape() throws Exception {
        TestModels.Published m =
                TestModels.publish(dev.scratchlm.devstack.SharedDevStack.get().bootstrapServers());
        TestHttp.Reply none = HTTP.get(url + "v1/models");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(HTTP.withToken("wrong")
                        .post(url + "v1/chat/completions", "{}")
                        .status())
                .isEqualTo(401);
        assertThat(HTTP.post(url + "api/feedback", "{}").status()).isEqualTo(401);
        assertThat(HTTP.get(url.toString()).status())
                .as("the page loads; it asks for the key")
                .isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!HTTP.withToken(KEY)
                .send(HttpRequest.newBuilder(URI.create(url + "v1/models")).GET())
                .body()
                .contains(m.chatId())) {
            assertThat(System.nanoTime()).as("models loaded").isLessThan(deadline);
            Thread.sleep(100);
        }
        E2eScripts.run(
                "chat-openai.mjs",
                Map.of(
                        "BASE_URL",
                        url.toString(),
                        "MODE",
                        "keys",
                        "API_KEY",
                        KEY,
                        "CHAT_MODEL",
                        m.chatId(),
                        "EXPECTED",
                        TestModels.MARKUP),
                false,
                Duration.ofSeconds(60));
    }
}
