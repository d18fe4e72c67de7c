package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(
                SharedDevStack.get().bootstrapServers(), "chat-feedback-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.CHAT_FEEDBACK).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
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
        TestHttp.Reply r = HTTP.post(
                url + "api/feedback", "{\"answerId\": \"" + id + "\", \"thumbsUp\": false, \"comment\": \"meh\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("recorded").asBoolean()).isTrue();
        ChatFeedback f = readFeedback(id);
        assertThat(f.thumbsUp()).isFalse();
        assertThat(f.comment()).isEqualTo("meh");
        assertThat(f.answer()).isEqualTo(answer.at("/choices/0/message/content").asText());
        assertThat(f.model()).isEqualTo(answer.get("model").asText());
        assertThat(f.prompt())
                .extracting(m -> m.role().id() + ":" + m.content())
                .containsExactly("system:be kind", "user:hi");
    }

    @Test
    void feedbackNeedsAStoredAnswerAndValidFields() {
        String unstored =
                HTTP.post(url + "v1/chat/completions", """
                {"model": "sft", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
                """).json().get("id").asText();
        TestHttp.Reply r = HTTP.post(url + "api/feedback", "{\"answerId\": \"" + unstored + "\", \"thumbsUp\": true}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/param").asText()).isEqualTo("answerId");
        assertThat(HTTP.post(url + "api/feedback", "{\"answerId\": \"x\", \"thumbsUp\": \"yes\"}")
                        .status())
                .isEqualTo(400);
        assertThat(HTTP.post(url + "api/feedback", "{\"thumbsUp\": true}").status())
                .isEqualTo(400);
        TestHttp.Reply bad = HTTP.post(url + "api/feedback", "not json");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/error/message").asText()).contains("JSON");
    }

    /** Every feedback record for {@code answerId} on the topic, read until {@code settle} passes with nothing new. */
    static List<ChatFeedback> allFeedback(String answerId, int atLeast) {
        List<ChatFeedback> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(
                SharedDevStack.get().bootstrapServers(), "chat-feedback-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.CHAT_FEEDBACK).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            java.util.Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // Read up to the end offsets taken after the last acknowledged send: everything sent is there by then.
            while (System.nanoTime() < deadline
                    && (out.size() < atLeast || parts.stream().anyMatch(p -> c.position(p) < end.get(p)))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (answerId.equals(r.key())) out.add(Json.read(r.value(), ChatFeedback.class));
                }
            }
        }
        return out;
    }

    @Test
    void theSameFeedbackSentTwiceIsOneRecordAndAChangedOneReplacesIt() {
        String id = HTTP.post(url + "v1/chat/completions", """
                {"model": "sft", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "store": true}
                """).json().get("id").asText();
        String up = "{\"answerId\": \"" + id + "\", \"thumbsUp\": true}";
        TestHttp.Reply first = HTTP.post(url + "api/feedback", up);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        TestHttp.Reply again = HTTP.post(url + "api/feedback", up);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        assertThat(allFeedback(id, 1)).hasSize(1);
        TestHttp.Reply down = HTTP.post(url + "api/feedback", "{\"answerId\": \"" + id + "\", \"thumbsUp\": false}");
        assertThat(down.status()).isEqualTo(200);
        assertThat(down.json().has("duplicate")).isFalse();
        assertThat(allFeedback(id, 2)).extracting(ChatFeedback::thumbsUp).containsExactly(true, false);
    }

    @Test
    void withTheBrokerAwayFeedbackFailsWithinSecondsNotAMinute() {
        FeedbackProducer away = new FeedbackProducer("127.0.0.1:1"); // nothing listens on port 1
        long t0 = System.nanoTime();
        try {
            OpenAiError e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> away.publish(new ChatFeedback(
                            ChatFeedback.SCHEMA, "a1", "m", List.of(), "x", true, null, java.time.Instant.now())),
                    OpenAiError.class);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage()).contains("send it again");
            // Bounded by the producer's timeouts (5 s a send), far below the client default of 60 s.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        } finally {
            away.stop(null);
        }
    }
}
