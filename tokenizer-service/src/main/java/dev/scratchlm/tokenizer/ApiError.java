package dev.scratchlm.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** A client mistake or a state conflict, answered as HTTP {@code status} with {@code {"error": message, ...details}}. */
public class ApiError extends RuntimeException {
    private final int status;
    private final Map<String, Object> details = new LinkedHashMap<>();

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, message);
    }

    public static ApiError unprocessable(String message) {
        return new ApiError(422, message);
    }

    public ApiError with(String key, Object value) {
        details.put(key, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        body.putAll(details);
        return body;
    }
}
