package dev.scratchlm.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client mistake, answered with its HTTP status and a JSON body {@code {"error": "...", "problems": [...], ...}}
 * by {@link ApiExceptionMapper}: never a 500, never a half-started job.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final List<String> problems;
    private final Map<String, Object> details;

    public ApiException(int status, String error, List<String> problems, Map<String, Object> details) {
        super(error);
        this.status = status;
        this.problems = problems == null ? List.of() : List.copyOf(problems);
        this.details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    public static ApiException badRequest(String error) {
        return new ApiException(400, error, List.of(error), null);
    }

    public static ApiException notFound(String error) {
        return new ApiException(404, error, List.of(), null);
    }

    public static ApiException conflict(String error) {
        return new ApiException(409, error, List.of(), null);
    }

    public int status() {
        return status;
    }

    public List<String> problems() {
        return problems;
    }

    public Map<String, Object> details() {
        return details;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        if (!problems.isEmpty()) body.put("problems", problems);
        body.putAll(details);
        return body;
    }
}
