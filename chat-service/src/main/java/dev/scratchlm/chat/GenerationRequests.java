package dev.scratchlm.chat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.service.ConsumerLoop;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads and checks a campaign's {@link GenerationRequest}. Sampling values follow the API's rules
 * ({@link RequestParser}'s checks); anything that can never be answered is {@link ConsumerLoop.Poison}, dead-lettered
 * with the reason. Whether the model exists and the prompt fits is not decided here: the campaign is told that in a
 * generation (see {@link GenerationConsumer}).
 */
final class GenerationRequests {
    static final int MIN_K = 2, MAX_K = 9;

    private GenerationRequests() {}

    static GenerationRequest read(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) throw new ConsumerLoop.Poison("empty record (no GenerationRequest)");
        GenerationRequest r;
        try {
            r = Json.read(record.value(), GenerationRequest.class);
        } catch (RuntimeException e) {
            throw new ConsumerLoop.Poison("unreadable GenerationRequest: " + e.getMessage());
        }
        if (r == null) throw new ConsumerLoop.Poison("unreadable GenerationRequest: null");
        if (r.schema() != GenerationRequest.SCHEMA) {
            throw new ConsumerLoop.Poison(
                    "GenerationRequest schema " + r.schema() + " is not the supported " + GenerationRequest.SCHEMA);
        }
        if (blank(r.taskId())) throw invalid(r, "taskId is missing");
        if (record.key() != null && !record.key().equals(r.taskId())) {
            throw invalid(r, "the record key '" + record.key() + "' is not its task id");
        }
        if (blank(r.campaignId())) throw invalid(r, "campaignId is missing");
        if (blank(r.model())) throw invalid(r, "model is missing");
        if (r.prompt() == null || r.prompt().isEmpty()) throw invalid(r, "prompt has no messages");
        for (ChatMessage m : r.prompt()) {
            if (m == null) throw invalid(r, "prompt holds a null message");
        }
        if (r.k() < MIN_K || r.k() > MAX_K) {
            throw invalid(r, "k must be from " + MIN_K + " to " + MAX_K + ", got " + r.k());
        }
        try {
            RequestParser.checkTemperature((float) r.temperature());
            RequestParser.checkTopP((float) r.topP());
            RequestParser.checkMaxTokens("maxTokens", r.maxTokens());
        } catch (OpenAiError e) {
            throw invalid(r, e.getMessage());
        }
        return r;
    }

    /** How candidate {@code i} is sampled: the request's settings, seed {@code seed + i}, nothing else. */
    static GenerationParams params(GenerationRequest r, int i) {
        return new GenerationParams(
                (float) r.temperature(), (float) r.topP(), 0, r.seed() + i, r.maxTokens(), List.of(), false, 0);
    }

    private static ConsumerLoop.Poison invalid(GenerationRequest r, String why) {
        return new ConsumerLoop.Poison(
                "invalid GenerationRequest" + (blank(r.taskId()) ? "" : " " + r.taskId()) + ": " + why);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
