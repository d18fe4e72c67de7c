package dev.scratchlm.service;

import dev.scratchlm.contracts.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error body of ingest, tokenizer, trainer and feedback:
 * <pre>{"error": "plain message", "code": "machine_code", "field": "the.field", ...details}</pre>
 * {@code error} is always there and says what is wrong in words; {@code code} (snake_case) lets a program tell
 * refusals apart; {@code field} names the part of the request at fault; further members are specific to an
 * endpoint (e.g. {@code limit}, {@code allowed}, {@code problems}). Absent members are left out, never null.
 */
public record ErrorBody(String error, String code, String field, Map<String, Object> details) {
    public ErrorBody {
        details = details == null ? Map.of() : details;
    }

    public static ErrorBody of(String error, String code) {
        return new ErrorBody(error, code, null, Map.of());
    }

    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", error);
        if (code != null) out.put("code", code);
        if (field != null) out.put("field", field);
        details.forEach(out::putIfAbsent);
        return out;
    }

    public String json() {
        return Json.string(asMap());
    }
}
