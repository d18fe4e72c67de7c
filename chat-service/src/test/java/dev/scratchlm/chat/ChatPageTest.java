package dev.scratchlm.chat;

import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web chat in a real browser (e2e/chat-page.mjs): streaming, token view, model card, system prompt and few-shot
 * examples, completion mode and compare mode; and its thumbs up read back from chat-feedback.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class ChatPageTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void chatStreamsShowsTokensAndCardAndRecordsThumbsUp() throws Exception {
        TestModels.Published m = ServedModels.ready(url.toString());
        Map<String, String> env = new HashMap<>(Map.of("BASE_URL", url.toString(), "CHAT_MODEL", m.chatId(),
                "BASE_MODEL", m.baseId(), "EXPECTED", TestModels.MARKUP, "PARAMS", Long.toString(m.baseParameters())));
        if (System.getenv("SCREENSHOT") != null) env.put("SCREENSHOT", System.getenv("SCREENSHOT"));
        String out = E2eScripts.run("chat-page.mjs", env, true, Duration.ofSeconds(120));
        Matcher id = Pattern.compile("ANSWER_ID=(\\S+)").matcher(out);
        assertThat(id.find()).as(out).isTrue();
        ChatFeedback f = FeedbackTest.readFeedback(id.group(1));
        assertThat(f.thumbsUp()).isTrue();
        assertThat(f.answer()).isEqualTo(TestModels.MARKUP);
        assertThat(f.model()).isEqualTo(m.chatId());
    }
}
