package dev.scratchlm.feedback.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.service.ApiError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A campaign's prompts from the admin's request: {@code prompts} (a JSON array) or {@code promptsJsonl} (an
 * uploaded JSON Lines file as text), each prompt a list of messages or {@code {"messages": [...]}} ending with the
 * user's turn.
 */
final class Prompts {
    private Prompts() {}

    static final int MAX_PROMPTS = 5000;
    static final int MAX_CONTENT = 8000;

    static List<List<ChatMessage>> parse(JsonNode body) {
        List<JsonNode> items = new ArrayList<>();
        String field = "prompts";
        if (body.hasNonNull("promptsJsonl")) {
            field = "promptsJsonl";
            String[] lines = body.get("promptsJsonl").asText().split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) continue;
                try {
                    items.add(Json.MAPPER.readTree(lines[i]));
                } catch (IOException e) {
                    throw ApiError.invalid(field, "line " + (i + 1) + " is not JSON");
                }
            }
        } else if (body.has("prompts") && body.get("prompts").isArray()) {
            body.get("prompts").forEach(items::add);
        } else {
            return null;
        }
        if (items.isEmpty()) throw ApiError.invalid(field, "a campaign needs at least one prompt");
        if (items.size() > MAX_PROMPTS)
            throw ApiError.invalid(field, "at most " + MAX_PROMPTS + " prompts per campaign, got " + items.size());
        List<List<ChatMessage>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) out.add(prompt(items.get(i), field + "[" + i + "]"));
        return out;
    }

    static List<ChatMessage> prompt(JsonNode node, String where) {
        JsonNode messages = node.isObject() ? node.get("messages") : node;
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid(
                    where, "a prompt is a list of messages (or {\"messages\": [...]}) ending with the user's turn");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText(""),
                    content = m.path("content").isTextual() ? m.get("content").asText() : null;
            ChatMessage.Role r;
            try {
                r = ChatMessage.Role.fromId(role);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid(where, "a message's role is system, user or assistant, got '" + role + "'");
            }
            if (content == null || content.length() > MAX_CONTENT) {
                throw ApiError.invalid(where, "a message's content is text of at most " + MAX_CONTENT + " characters");
            }
            out.add(new ChatMessage(r, content));
        }
        if (out.get(out.size() - 1).role() != ChatMessage.Role.USER)
            throw ApiError.invalid(where, "a prompt ends with the user's turn");
        return out;
    }
}
