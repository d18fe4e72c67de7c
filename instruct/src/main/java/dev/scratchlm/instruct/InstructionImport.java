package dev.scratchlm.instruct;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.contracts.InstructionExample;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads an instruction set in one of the import formats, validates every example and says why each bad one was
 * refused. Accepted examples come out as {@link InstructionExample}s with their id and split; nothing is truncated
 * or repaired.
 *
 * <ul>
 *   <li>{@code openai}: JSON Lines (or a JSON array) of {@code {"messages": [{"role", "content"}, ...]}}</li>
 *   <li>{@code alpaca}: a JSON array (or JSON Lines) of {@code {"instruction", "input", "output"}}: user = instruction,
 *       plus a blank line and the input when there is one; assistant = output</li>
 *   <li>{@code sharegpt}: a JSON array (or JSON Lines) of {@code {"conversations": [{"from", "value"}, ...]}}, from
 *       human/user, gpt/assistant/chatgpt/bard/bing/model, system</li>
 *   <li>{@code e2e}: CSV {@code mr,ref}, each reference → {@link E2eImport#examples}</li>
 * </ul>
 *
 * Rules for every format: a conversation has at least one assistant turn; a system turn only comes first; the first
 * other turn is the user's; no message is empty; rendered with the chat template it has at most context + 1 tokens
 * (n tokens fill n - 1 positions of a training row, as gpt's PackedExamples counts); an exact duplicate of an
 * earlier example (same messages) is dropped.
 */
public final class InstructionImport {
    public static final List<String> FORMATS = List.of("openai", "alpaca", "sharegpt", "e2e");

    /** Why an example was refused: a stable code for counting and a detail for people. */
    public enum Reason {
        MALFORMED("malformed"),
        UNKNOWN_ROLE("unknown-role"),
        EMPTY_MESSAGE("empty-message"),
        NO_ASSISTANT_TURN("no-assistant-turn"),
        SYSTEM_NOT_FIRST("system-not-first"),
        NO_USER_TURN_FIRST("no-user-turn-first"),
        TOO_LONG("too-long"),
        DUPLICATE("duplicate");

        public final String code;

        Reason(String code) {
            this.code = code;
        }
    }

    /** @param record 1-based line (JSON Lines), element (JSON array) or CSV record number */
    public record Rejection(long record, Reason reason, String detail) {}

    public record Result(
            String dataset,
            String format,
            List<InstructionExample> accepted,
            List<Rejection> rejected,
            boolean lengthChecked) {
        /** Rejections by reason code, in {@link Reason} order. */
        public Map<String, Integer> rejectedByReason() {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Reason r : Reason.values()) {
                int n = (int) rejected.stream().filter(x -> x.reason() == r).count();
                if (n > 0) {
                    counts.put(r.code, n);
                }
            }
            return counts;
        }
    }

    /** A whole file that cannot be read as its format (not JSON, no mr,ref header): the import is refused. */
    public static final class BadFileException extends IllegalArgumentException {
        public BadFileException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatTemplate template;
    private final int context;

    /**
     * @param template renders examples to count their tokens; null skips the length rule (the trainer checks it)
     * @param context  the model's context length in tokens (ignored without a template)
     */
    public InstructionImport(ChatTemplate template, int context) {
        if (template != null && context <= 0) {
            throw new IllegalArgumentException("context must be positive, got " + context);
        }
        this.template = template;
        this.context = context;
    }

    /** @throws BadFileException if the file as a whole is unreadable as {@code format}, or the format is unknown */
    public Result read(String dataset, String format, String body) {
        if (dataset == null || !dataset.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new BadFileException(
                    "dataset must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; got '"
                            + dataset + "'");
        }
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        List<Candidate> candidates = switch (f) {
            case "openai" ->
                jsonRecords(body).stream().map(r -> openai(dataset, r)).toList();
            case "alpaca" ->
                jsonRecords(body).stream().map(r -> alpaca(dataset, r)).toList();
            case "sharegpt" ->
                jsonRecords(body).stream().map(r -> sharegpt(dataset, r)).toList();
            case "e2e" -> e2e(dataset, body);
            default -> throw new BadFileException("unknown format '" + format + "': expected one of " + FORMATS);
        };
        List<InstructionExample> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Candidate c : candidates) {
            if (c.rejection != null) {
                rejected.add(c.rejection);
                continue;
            }
            Rejection bad = validate(c.record, c.example.messages());
            if (bad != null) {
                rejected.add(bad);
            } else if (!seen.add(c.example.id())) {
                rejected.add(new Rejection(
                        c.record,
                        Reason.DUPLICATE,
                        "the same messages as an earlier example (" + c.example.id() + ")"));
            } else {
                accepted.add(c.example);
            }
        }
        return new Result(dataset, f, List.copyOf(accepted), List.copyOf(rejected), template != null);
    }

    private Rejection validate(long record, List<ChatMessage> messages) {
        boolean assistant = false;
        boolean sawNonSystem = false;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.content().isBlank()) {
                return new Rejection(
                        record,
                        Reason.EMPTY_MESSAGE,
                        "message " + (i + 1) + " (" + m.role().id() + ") is empty");
            }
            switch (m.role()) {
                case SYSTEM -> {
                    if (i > 0) {
                        return new Rejection(
                                record,
                                Reason.SYSTEM_NOT_FIRST,
                                "a system message at position " + (i + 1)
                                        + ": only the first message may be the system's");
                    }
                }
                case USER -> sawNonSystem = true;
                case ASSISTANT -> {
                    if (!sawNonSystem) {
                        return new Rejection(
                                record,
                                Reason.NO_USER_TURN_FIRST,
                                "the assistant speaks at position " + (i + 1) + " before any user message");
                    }
                    assistant = true;
                }
            }
        }
        if (!assistant) {
            return new Rejection(
                    record,
                    Reason.NO_ASSISTANT_TURN,
                    "no assistant message among " + messages.size() + ": nothing to learn");
        }
        if (template != null) {
            int tokens = template.render(messages).ids().length;
            if (tokens > context + 1) {
                return new Rejection(
                        record,
                        Reason.TOO_LONG,
                        tokens + " tokens with the chat template, more than the context of " + context + " holds ("
                                + (context + 1) + ")");
            }
        }
        return null;
    }

    /** One example or why it is none. */
    private record Candidate(long record, InstructionExample example, Rejection rejection) {
        static Candidate ok(long record, InstructionExample e) {
            return new Candidate(record, e, null);
        }

        static Candidate bad(long record, Reason reason, String detail) {
            return new Candidate(record, null, new Rejection(record, reason, detail));
        }
    }

    /** A JSON value with its record number, or the reason it is not valid JSON. */
    private record JsonRecord(long record, JsonNode node, String error) {}

    /** JSON Lines, or one JSON array when the body starts with '['. */
    static List<JsonRecord> jsonRecords(String body) {
        String trimmed = body.stripLeading();
        if (trimmed.startsWith("\uFEFF")) {
            trimmed = trimmed.substring(1);
        }
        List<JsonRecord> out = new ArrayList<>();
        if (trimmed.startsWith("[")) {
            try (JsonParser p = JSON.createParser(trimmed)) {
                p.nextToken();
                long n = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == null) {
                        throw new BadFileException("the JSON array is not closed");
                    }
                    n++;
                    out.add(object(n, JSON.readTree(p)));
                }
            } catch (JsonProcessingException e) {
                throw new BadFileException("not a valid JSON array: " + e.getOriginalMessage() + " at line "
                        + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr());
            } catch (IOException e) {
                throw new BadFileException(e.getMessage());
            }
            return out;
        }
        long n = 0;
        for (String line : (Iterable<String>) body.lines()::iterator) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(object(n, JSON.readTree(line)));
            } catch (JsonProcessingException e) {
                out.add(new JsonRecord(n, null, "not valid JSON: " + e.getOriginalMessage()));
            }
        }
        if (out.stream().allMatch(r -> r.error != null) && !out.isEmpty()) {
            throw new BadFileException("no line is valid JSON (first: " + out.get(0).error + ")");
        }
        return out;
    }

    private static JsonRecord object(long n, JsonNode node) {
        return node != null && node.isObject()
                ? new JsonRecord(n, node, null)
                : new JsonRecord(
                        n,
                        null,
                        "expected a JSON object, found "
                                + (node == null
                                        ? "nothing"
                                        : node.getNodeType().name().toLowerCase(Locale.ROOT)));
    }

    private static Candidate openai(String dataset, JsonRecord r) {
        if (r.error != null) {
            return Candidate.bad(r.record, Reason.MALFORMED, r.error);
        }
        JsonNode messages = r.node.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return Candidate.bad(r.record, Reason.MALFORMED, "expected {\"messages\": [{\"role\", \"content\"}, ...]}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) {
                return Candidate.bad(r.record, Reason.MALFORMED, "message " + (i + 1) + " has no \"role\" string");
            }
            if (content == null || !content.isTextual()) {
                return Candidate.bad(r.record, Reason.MALFORMED, "message " + (i + 1) + " has no \"content\" string");
            }
            ChatMessage.Role parsed;
            try {
                parsed = ChatMessage.Role.fromId(role.asText());
            } catch (IllegalArgumentException e) {
                return Candidate.bad(r.record, Reason.UNKNOWN_ROLE, "message " + (i + 1) + ": " + e.getMessage());
            }
            out.add(new ChatMessage(parsed, content.asText()));
        }
        return Candidate.ok(r.record, Examples.of(dataset, "openai", out));
    }

    private static Candidate alpaca(String dataset, JsonRecord r) {
        if (r.error != null) {
            return Candidate.bad(r.record, Reason.MALFORMED, r.error);
        }
        JsonNode instruction = r.node.get("instruction");
        JsonNode input = r.node.get("input");
        JsonNode output = r.node.get("output");
        if (instruction == null
                || !instruction.isTextual()
                || output == null
                || !output.isTextual()
                || (input != null && !input.isNull() && !input.isTextual())) {
            return Candidate.bad(
                    r.record,
                    Reason.MALFORMED,
                    "expected {\"instruction\": string, \"input\": string?, \"output\": string}");
        }
        String prompt = instruction.asText();
        if (input != null && input.isTextual() && !input.asText().isBlank()) {
            prompt = prompt + "\n\n" + input.asText();
        }
        return Candidate.ok(
                r.record,
                Examples.of(
                        dataset, "alpaca", List.of(ChatMessage.user(prompt), ChatMessage.assistant(output.asText()))));
    }

    private static Candidate sharegpt(String dataset, JsonRecord r) {
        if (r.error != null) {
            return Candidate.bad(r.record, Reason.MALFORMED, r.error);
        }
        JsonNode turns = r.node.get("conversations");
        if (turns == null || !turns.isArray() || turns.isEmpty()) {
            return Candidate.bad(
                    r.record, Reason.MALFORMED, "expected {\"conversations\": [{\"from\", \"value\"}, ...]}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            JsonNode from = turns.get(i).get("from");
            JsonNode value = turns.get(i).get("value");
            if (from == null || !from.isTextual() || value == null || !value.isTextual()) {
                return Candidate.bad(
                        r.record, Reason.MALFORMED, "turn " + (i + 1) + " needs \"from\" and \"value\" strings");
            }
            ChatMessage.Role role = switch (from.asText().toLowerCase(Locale.ROOT)) {
                case "human", "user" -> ChatMessage.Role.USER;
                case "gpt", "assistant", "chatgpt", "bard", "bing", "model" -> ChatMessage.Role.ASSISTANT;
                case "system" -> ChatMessage.Role.SYSTEM;
                default -> null;
            };
            if (role == null) {
                return Candidate.bad(
                        r.record,
                        Reason.UNKNOWN_ROLE,
                        "turn " + (i + 1) + " is from '" + from.asText() + "' (expected human, gpt or system)");
            }
            out.add(new ChatMessage(role, value.asText()));
        }
        return Candidate.ok(r.record, Examples.of(dataset, "sharegpt", out));
    }

    private static List<Candidate> e2e(String dataset, String body) {
        List<E2e.Row> rows;
        try {
            rows = E2e.readCsv(new StringReader(body));
        } catch (IllegalArgumentException | IOException e) {
            throw new BadFileException(e.getMessage());
        }
        List<Candidate> out = new ArrayList<>();
        for (E2e.Row row : rows) {
            List<InstructionExample> examples;
            try {
                examples = E2eImport.examples(dataset, row.mr(), row.ref());
            } catch (IllegalArgumentException e) {
                out.add(Candidate.bad(row.record(), Reason.MALFORMED, e.getMessage()));
                continue;
            }
            for (InstructionExample e : examples) {
                out.add(Candidate.ok(row.record(), e));
            }
        }
        return out;
    }
}
