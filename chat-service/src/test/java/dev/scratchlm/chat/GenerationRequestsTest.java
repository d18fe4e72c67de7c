package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What makes a campaign request poison, and with which reason; the sampling ranges are the API's. */
class GenerationRequestsTest {
    private static GenerationRequest req(
            int schema,
            String taskId,
            List<ChatMessage> prompt,
            int k,
            double temperature,
            double topP,
            int maxTokens) {
        return new GenerationRequest(
                schema, taskId, "c1", "sft", prompt, k, temperature, topP, maxTokens, 5, Instant.now());
    }

    private static GenerationRequest ok() {
        return req(GenerationRequest.SCHEMA, "t1", List.of(ChatMessage.user("hi")), 2, 0.7, 0.9, 16);
    }

    private static ConsumerRecord<String, byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>(Topics.GENERATION_REQUESTS, 0, 0L, key, value);
    }

    private static GenerationRequest read(GenerationRequest r) {
        return GenerationRequests.read(record(r.taskId(), Json.bytes(r)));
    }

    private static void poison(ConsumerRecord<String, byte[]> r, String reason) {
        assertThatThrownBy(() -> GenerationRequests.read(r))
                .isInstanceOf(ConsumerLoop.Poison.class)
                .hasMessageContaining(reason);
    }

    private static void poison(GenerationRequest r, String reason) {
        poison(record(r.taskId(), Json.bytes(r)), reason);
    }

    @Test
    void aValidRequestIsReadAndEachCandidateGetsItsOwnSeed() {
        GenerationRequest r = read(ok());
        assertThat(r.prompt()).containsExactly(ChatMessage.user("hi"));
        GenerationParams p = GenerationRequests.params(r, 3);
        assertThat(p.seed()).isEqualTo(8);
        assertThat(p.temperature()).isEqualTo(0.7f);
        assertThat(p.topP()).isEqualTo(0.9f);
        assertThat(p.maxTokens()).isEqualTo(16);
        assertThat(p.stop()).isEmpty();
        assertThat(read(req(1, "t1", List.of(ChatMessage.user("hi")), 9, 2.0, 1.0, 1))
                        .k())
                .isEqualTo(9);
    }

    @Test
    void unreadableOrUnknownSchemaIsPoison() {
        poison(record("t1", "{not json".getBytes(StandardCharsets.UTF_8)), "unreadable GenerationRequest");
        poison(record("t1", null), "empty record");
        poison(
                record(
                        "t1",
                        "{\"schema\":1,\"taskId\":\"t1\",\"prompt\":[{\"role\":\"robot\",\"content\":\"x\"}]}"
                                .getBytes(StandardCharsets.UTF_8)),
                "unreadable GenerationRequest");
        poison(req(2, "t1", List.of(ChatMessage.user("hi")), 2, 1, 1, 5), "schema 2 is not the supported 1");
    }

    @Test
    void outOfRangeValuesArePoisonWithTheApiRuleInTheReason() {
        List<ChatMessage> hi = List.of(ChatMessage.user("hi"));
        poison(req(1, "t1", hi, 1, 1, 1, 5), "k must be from 2 to 9, got 1");
        poison(req(1, "t1", hi, 10, 1, 1, 5), "k must be from 2 to 9, got 10");
        poison(req(1, "t1", hi, 2, 2.5, 1, 5), "not a valid temperature: expected a number from 0 to 2");
        poison(req(1, "t1", hi, 2, Double.NaN, 1, 5), "not a valid temperature");
        poison(req(1, "t1", hi, 2, 1, 0, 5), "not a valid top_p");
        poison(req(1, "t1", hi, 2, 1, 1.5, 5), "not a valid top_p");
        poison(req(1, "t1", hi, 2, 1, 1, 0), "'maxTokens' must be at least 1");
        poison(req(1, "t1", List.of(), 2, 1, 1, 5), "prompt has no messages");
        poison(req(1, "", hi, 2, 1, 1, 5), "taskId is missing");
        poison(record("other", Json.bytes(ok())), "the record key 'other' is not its task id");
    }
}
