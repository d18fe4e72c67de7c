package dev.scratchlm.chat;

/**
 * A client mistake (or a refusal) in OpenAI's error shape: {@code {"error": {"message", "type", "param", "code"}}}.
 * Thrown anywhere while a request is checked; the HTTP layers turn it into a 4xx with that body.
 */
public final class OpenAiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public OpenAiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 invalid_request_error for a bad value of {@code param}. */
    public static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", param, "invalid_value", message);
    }

    public static OpenAiError modelNotFound(String model, String known) {
        return new OpenAiError(
                404,
                "invalid_request_error",
                "model",
                "model_not_found",
                "The model '" + model + "' does not exist or is not loaded. Loaded: " + known + ".");
    }

    public static OpenAiError notFound(String param, String message) {
        return new OpenAiError(404, "invalid_request_error", param, "not_found", message);
    }

    /** @param param the request's prompt parameter: {@code messages} (chat) or {@code prompt} (completions) */
    public static OpenAiError contextTooLong(String param, int limit, int promptTokens, int maxTokens) {
        return new OpenAiError(
                400,
                "invalid_request_error",
                param,
                "context_length_exceeded",
                "This model's maximum context length is " + limit + " tokens. However, you requested "
                        + ((long) promptTokens + maxTokens) + " tokens (" + promptTokens + " in the prompt, "
                        + maxTokens
                        + " for the completion). Please reduce the prompt or max_tokens.");
    }

    public static OpenAiError unauthorized(String message) {
        return new OpenAiError(401, "invalid_request_error", null, "invalid_api_key", message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** The response body. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"error\":{\"message\":");
        JsonText.quote(sb, getMessage());
        sb.append(",\"type\":");
        JsonText.quote(sb, type);
        sb.append(",\"param\":");
        JsonText.quote(sb, param);
        sb.append(",\"code\":");
        JsonText.quote(sb, code);
        sb.append("}}");
        return sb.toString();
    }
}
