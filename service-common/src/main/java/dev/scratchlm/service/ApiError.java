package dev.scratchlm.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal a client can act on, answered as HTTP {@code status} with the one error body of the services
 * ({@link ErrorBody}): {@code {"error": message, "code"?: ..., "field"?: ..., ...details}}. Thrown anywhere while a
 * request is handled; {@link ErrorMappers} writes it. The message is for people and must hold no internals (no
 * exception text, SQL or server paths): those go to the log.
 */
public class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private String field;
    private final Map<String, Object> details = new LinkedHashMap<>();

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    /** 400 for one field of the request body (named in {@code field}). */
    public static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_value", message).field(field);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "too_large", message);
    }

    public static ApiError unsupportedMediaType(String message) {
        return new ApiError(415, "unsupported_media_type", message);
    }

    public static ApiError unprocessable(String message) {
        return new ApiError(422, "unprocessable", message);
    }

    /** 503: a dependency (database, broker) is away; the client may retry. */
    public static ApiError unavailable(String message) {
        return new ApiError(503, "unavailable", message);
    }

    public ApiError field(String field) {
        this.field = field;
        return this;
    }

    /** An extra top-level member of the body (e.g. {@code "limit": 1048576}, {@code "problems": [...]}). */
    public ApiError with(String key, Object value) {
        details.put(key, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String fieldName() {
        return field;
    }

    public Map<String, Object> details() {
        return details;
    }

    public ErrorBody body() {
        return new ErrorBody(getMessage(), code, field, details);
    }
}
