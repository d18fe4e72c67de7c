package dev.scratchlm.instruct;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Json;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The E2E NLG restaurant task: meaning representations (MRs) such as
 * {@code name[The Vaults], eatType[pub], priceRange[more than £30]} and their human references, and the two
 * prompt forms the model is taught:
 * <ul>
 *   <li>the MR form, user {@code Describe this restaurant: } + the MR exactly as the CSV writes it;</li>
 *   <li>the seed form, user {@code Generate a sentence describing: NAME} + the other slots as JSON
 *       ({@code {"eatType": "restaurant", ...}}, keys and values as in the MR), with or without the system prompt
 *       {@value #SYSTEM_PROMPT}.</li>
 * </ul>
 */
public final class E2e {
    private E2e() {}

    public static final String MR_PREFIX = "Describe this restaurant: ";
    public static final String SEED_PREFIX = "Generate a sentence describing: ";
    public static final String SYSTEM_PROMPT = "You are an AI assistant. Generate a detailed answer.";
    /** The eight attributes of the E2E domain. */
    public static final List<String> SLOTS =
            List.of("name", "eatType", "food", "priceRange", "customer rating", "area", "familyFriendly", "near");

    /** One row of an E2E CSV file; {@code record} counts data rows from 1 (the header is not one). */
    public record Row(long record, String mr, String ref) {}

    /**
     * The MR's slots in their order, e.g. {@code {name=The Vaults, eatType=pub}}.
     *
     * @throws IllegalArgumentException if it is not a comma-separated list of {@code attr[value]} or repeats a slot
     */
    public static Map<String, String> parse(String mr) {
        if (mr == null || mr.isBlank()) {
            throw new IllegalArgumentException("empty meaning representation");
        }
        Map<String, String> slots = new LinkedHashMap<>();
        int i = 0;
        int n = mr.length();
        while (i < n) {
            while (i < n && (mr.charAt(i) == ' ' || mr.charAt(i) == ',')) {
                i++;
            }
            if (i == n) {
                break;
            }
            int open = mr.indexOf('[', i);
            int close = open < 0 ? -1 : mr.indexOf(']', open);
            if (open < 0 || close < 0) {
                throw new IllegalArgumentException("not attr[value] at offset " + i + " of the MR '" + mr + "'");
            }
            String attr = mr.substring(i, open).strip();
            String value = mr.substring(open + 1, close).strip();
            if (attr.isEmpty() || value.isEmpty()) {
                throw new IllegalArgumentException(
                        "empty attribute or value at offset " + i + " of the MR '" + mr + "'");
            }
            if (slots.put(attr, value) != null) {
                throw new IllegalArgumentException("slot " + attr + " given twice in the MR '" + mr + "'");
            }
            i = close + 1;
            while (i < n && mr.charAt(i) == ' ') {
                i++;
            }
            if (i < n && mr.charAt(i) != ',') {
                throw new IllegalArgumentException("expected ',' at offset " + i + " of the MR '" + mr + "'");
            }
        }
        if (!slots.containsKey("name")) {
            throw new IllegalArgumentException("the MR has no name[...] slot: '" + mr + "'");
        }
        return slots;
    }

    /** {@code Describe this restaurant: } + the MR as written. */
    public static String mrPrompt(String mr) {
        return MR_PREFIX + mr;
    }

    /** {@code Generate a sentence describing: NAME {"eatType": "pub", ...}} (no JSON when the MR has only a name). */
    public static String seedPrompt(String mr) {
        Map<String, String> slots = parse(mr);
        StringBuilder json = new StringBuilder();
        for (Map.Entry<String, String> e : slots.entrySet()) {
            if (e.getKey().equals("name")) {
                continue;
            }
            json.append(json.length() == 0 ? "{" : ", ")
                    .append(quote(e.getKey()))
                    .append(": ")
                    .append(quote(e.getValue()));
        }
        String prompt = SEED_PREFIX + slots.get("name");
        return json.length() == 0 ? prompt : prompt + " " + json.append('}');
    }

    /** The MR form as a conversation: user prompt, the reference as the answer. */
    public static List<ChatMessage> mrConversation(String mr, String ref) {
        return List.of(ChatMessage.user(mrPrompt(mr)), ChatMessage.assistant(ref));
    }

    /** The seed form, with the system prompt first when {@code withSystem}. */
    public static List<ChatMessage> seedConversation(String mr, String ref, boolean withSystem) {
        List<ChatMessage> messages = new ArrayList<>(3);
        if (withSystem) {
            messages.add(ChatMessage.system(SYSTEM_PROMPT));
        }
        messages.add(ChatMessage.user(seedPrompt(mr)));
        messages.add(ChatMessage.assistant(ref));
        return List.copyOf(messages);
    }

    /** The prompt of {@link #mrConversation} without its answer, for generation. */
    public static List<ChatMessage> mrQuestion(String mr) {
        return List.of(ChatMessage.user(mrPrompt(mr)));
    }

    /**
     * Reads an E2E CSV file with the header {@code mr,ref} (RFC 4180: quoted fields, doubled quotes), in file order.
     *
     * @throws IllegalArgumentException if the header lacks {@code mr} or {@code ref}, or a row is malformed
     */
    public static List<Row> readCsv(Reader in) throws IOException {
        CSVFormat format = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get();
        List<Row> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(in, format)) {
            if (!parser.getHeaderMap().containsKey("mr")
                    || !parser.getHeaderMap().containsKey("ref")) {
                throw new IllegalArgumentException(
                        "an E2E CSV needs the header mr,ref; found " + parser.getHeaderNames());
            }
            for (CSVRecord r : parser) {
                if (!r.isConsistent()) {
                    throw new IllegalArgumentException("line " + r.getParser().getCurrentLineNumber() + ": " + r.size()
                            + " fields, expected " + parser.getHeaderNames().size());
                }
                rows.add(new Row(rows.size() + 1, r.get("mr"), r.get("ref")));
            }
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(
                    "not a valid CSV file: " + e.getCause().getMessage(), e);
        }
        return rows;
    }

    /** Groups rows by MR in first-seen order: the multi-reference sets BLEU needs. */
    public static Map<String, List<String>> referencesByMr(List<Row> rows) {
        Map<String, List<String>> byMr = new LinkedHashMap<>();
        for (Row r : rows) {
            byMr.computeIfAbsent(r.mr(), k -> new ArrayList<>()).add(r.ref());
        }
        return byMr;
    }

    /**
     * The MR a user turn asks about, in either prompt form ({@link #mrPrompt} or {@link #seedPrompt}), as the MR form
     * writes it; empty for any other text. The seed form's JSON must be a flat object of strings.
     */
    public static java.util.Optional<String> mrOfPrompt(String user) {
        if (user == null) return java.util.Optional.empty();
        try {
            if (user.startsWith(MR_PREFIX)) {
                String mr = user.substring(MR_PREFIX.length());
                parse(mr);
                return java.util.Optional.of(mr);
            }
            if (!user.startsWith(SEED_PREFIX)) return java.util.Optional.empty();
            String rest = user.substring(SEED_PREFIX.length());
            int brace = rest.indexOf(" {");
            String name = (brace < 0 ? rest : rest.substring(0, brace)).strip();
            if (name.isEmpty() || name.contains("[") || name.contains("]")) return java.util.Optional.empty();
            StringBuilder mr = new StringBuilder("name[").append(name).append(']');
            if (brace >= 0) {
                com.fasterxml.jackson.databind.JsonNode slots = Json.MAPPER.readTree(rest.substring(brace + 1));
                if (!slots.isObject()) return java.util.Optional.empty();
                for (var it = slots.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isTextual()) return java.util.Optional.empty();
                    mr.append(", ")
                            .append(e.getKey())
                            .append('[')
                            .append(e.getValue().asText())
                            .append(']');
                }
            }
            parse(mr.toString());
            return java.util.Optional.of(mr.toString());
        } catch (IllegalArgumentException | JsonProcessingException notAnMr) {
            return java.util.Optional.empty();
        }
    }

    private static String quote(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
