package dev.scratchlm.chat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The official openai npm client (e2e/chat-openai.mjs) talks to the service as to OpenAI. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class OpenAiClientTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void officialClientChatsStreamsCompletesAndSeesErrors() throws Exception {
        TestModels.Published m = ServedModels.ready(url.toString());
        E2eScripts.run(
                "chat-openai.mjs",
                Map.of(
                        "BASE_URL",
                        url.toString(),
                        "CHAT_MODEL",
                        m.chatId(),
                        "BASE_MODEL",
                        m.baseId(),
                        "EXPECTED",
                        TestModels.MARKUP),
                false,
                Duration.ofSeconds(90));
    }
}
