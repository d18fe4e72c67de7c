package dev.scratchlm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Thumbs up/down on a stored answer lands on chat-feedback, with the prompt and answer that were served. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class FeedbackTest {
    private static final TestHttp HTTP = new TestHttp();
    @TestHTTPResource("/")
    URL url;

    @BeforeEach
    void published() throws Exception {
        ServedModels.ready(url.toString());
    }

    /** The feedback record for {@code answerId}, read from the topic (the HTTP 200 came after acks=all). */
    static ChatFeedback readFeedback(String answerId) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(SharedDevStack.get().bootstrapServers(),
                "chat-feedback-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.CHAT_FEEDBACK).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (answerId.equals(r.key())) return Json.read(r.value(), ChatFeedback.class);
                }
            }
        }
        throw new AssertionError("no feedback for " + answerId + " on " + Topics.CHAT_FEEDBACK);
    }

    @Test
    void thumbsDownIsPublishedWithTheServedAnswer() {
        JsonNode answer = HTTP.post(url + "v1/chat/completions", """
                {"model": "sft", "messages": [{"role": "system", "content": "be kind"}, {"role": "user", "content": "hi"}],
                 "temperature": 0, "store": true}
                """).json();
        String id = answer.get("id").asText();
        TestHttp.Reply r = HTTP.post(url + "api/feedback", "{\"answerId\": \"" + id + "\", \"thumbsUp\": false, \"comment\": \"meh\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("recorded").asBoolean()).isTrue();
        ChatFeedback f = readFeedback(id);
        assertThat(f.thumbsUp()).isFalse();
        assertThat(f.comment()).isEqualTo("meh");
        assertThat(f.answer()).isEqualTo(answer.at("/choices/0/message/content").asText());
        assertThat(f.model()).isEqualTo(answer.get("model").asText());
        assertThat(f.prompt()).extracting(m -> m.role().id() + ":" + m.content()).containsExactly("system:be kind", "user:hi");
    }

    @Test
    void feedbackNeedsAStoredAnswerAndValidFields() {
        String unstored = HTTP.post(url + "v1/chat/completions", """
                {"model": "sft", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
                """).json().get("id").asText();
        TestHttp.Reply r = HTTP.post(url + "api/feedback", "{\"answerId\": \"" + unstored + "\", \"thumbsUp\": true}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/param").asText()).isEqualTo("answerId");
        assertThat(HTTP.post(url + "api/feedback", "{\"answerId\": \"x\", \"thumbsUp\": \"yes\"}").status()).isEqualTo(400);
        assertThat(HTTP.post(url + "api/feedback", "{\"thumbsUp\": true}").status()).isEqualTo(400);
        TestHttp.Reply bad = HTTP.post(url + "api/feedback", "not json");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/error/message").asText()).contains("JSON");
    }
}
