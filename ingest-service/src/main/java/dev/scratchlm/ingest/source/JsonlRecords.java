package dev.scratchlm.ingest.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Json;
import java.io.InputStream;
import java.time.LocalDate;

/** JSON Lines: one object per line, {@code {text, url?, title?, date?, lang?}}. */
final class JsonlRecords extends LineRecords {
    JsonlRecords(InputStream in, String fileUri, Readers.Start start, long first, long end, ReadLimits limits) {
        super(in, fileUri, start, first, end, limits);
    }

    @Override
    protected RawRecord parse(long recordNo, long lineNo, String line, int bytes) {
        String uri = lineUri(lineNo);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return RawRecord.unreadable(recordNo, uri, bytes, "read.malformed", "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return RawRecord.unreadable(
                    recordNo, uri, bytes, "read.malformed", "expected a JSON object with a \"text\" field");
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            return RawRecord.unreadable(recordNo, uri, bytes, "read.malformed", "missing string field \"text\"");
        }
        String url = optionalText(node, "url");
        LocalDate date;
        try {
            date = Dates.parse(optionalText(node, "date"));
        } catch (IllegalArgumentException e) {
            return RawRecord.unreadable(recordNo, url != null ? url : uri, bytes, "read.malformed", e.getMessage());
        }
        return new RawRecord(
                recordNo,
                url != null ? url : uri,
                "text/plain",
                text.textValue(),
                bytes,
                optionalText(node, "title"),
                date,
                optionalText(node, "lang"),
                null);
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
    }
}
