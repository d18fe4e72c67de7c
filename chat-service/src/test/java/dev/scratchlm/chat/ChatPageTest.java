package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        // A reward model (random head: its preferences are arbitrary, the page only has to show them) for best_of.
        String reward = "page-reward-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (var p = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                dev.scratchlm.contracts.KafkaSettings.producer(
                        dev.scratchlm.devstack.SharedDevStack.get().bootstrapServers()))) {
            var cfg = new dev.scratchlm.gpt.GptConfig(TestModels.tokenizer.vocabSize(), 64, 2, 2, 64, 0f)
                    .withRewardHead(true);
            TestModels.publishCheckpoint(
                    p, new dev.scratchlm.gpt.Gpt(cfg, 1, 3), reward, "reward", m.chatId(), m.tokenizerId(), 1);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!new dev.scratchlm.service.TestHttp()
                .get(url + "api/rewards")
                .body()
                .contains(reward)) {
            assertThat(System.nanoTime()).as("the reward model is loaded").isLessThan(deadline);
            Thread.sleep(100);
        }
        Map<String, String> env = new HashMap<>(Map.of(
                "BASE_URL",
                url.toString(),
                "CHAT_MODEL",
                m.chatId(),
                "BASE_MODEL",
                m.baseId(),
                "EXPECTED",
                TestModels.MARKUP,
                "PARAMS",
                Long.toString(m.baseParameters()),
                "REWARD_MODEL",
                reward));
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
