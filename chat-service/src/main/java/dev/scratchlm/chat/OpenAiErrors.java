package dev.scratchlm.chat;

import dev.scratchlm.service.ErrorBody;
import dev.scratchlm.service.ErrorShape;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * This service's {@link ErrorShape}: the refusals of service-common's pieces (body limit, token and cross-site
 * guard, content type, the exception mappers) in OpenAI's {@code {"error": {"message", "type", "param", "code"}}},
 * so every endpoint of chat-service fails the way OpenAI clients expect.
 */
@ApplicationScoped
public class OpenAiErrors implements ErrorShape {
    @Override
    public String json(int status, ErrorBody error) {
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        String code = switch (status) {
            case 401 -> "invalid_api_key";
            case 404 -> error.code() == null || error.code().equals("not_found") ? "unknown_url" : error.code();
            case 413 -> "request_too_large";
            default -> error.code();
        };
        return new OpenAiError(status, type, error.field(), code, sentence(error.error())).toJson();
    }

    /** OpenAI's messages are sentences: "The request body is 20 bytes; the limit is 10 bytes." */
    static String sentence(String message) {
        if (message == null || message.isEmpty()) return message;
        String s = Character.toUpperCase(message.charAt(0)) + message.substring(1);
        char last = s.charAt(s.length() - 1);
        return last == '.' || last == '!' || last == '?' ? s : s + ".";
    }
}
