package dev.scratchlm.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a tokenizer as a Hugging Face {@code tokenizer.json}: a Split pre-tokenizer with the pattern's
 * regex, then ByteLevel (bytes shown as printable characters, GPT-2's mapping), a BPE model with the
 * vocabulary and merges in that mapping, and the special tokens as added tokens.
 *
 * <p>Merges: every split of a token into two tokens, ordered by the token's rank, so HF's
 * lowest-merge-first rule follows tiktoken's lowest-rank-first; {@code ignore_merges} makes a piece that
 * is itself a token map straight to it, as tiktoken does.
 *
 * <p>Reading ({@link #fromJson}) takes the byte-level BPE files this writes and GPT-2's own: a tokenizer whose
 * merges, in order, build tokens of rising id (so id = rank, tiktoken's rule, gives the same encodings), whose
 * pre-tokenizer is one of our {@link SplitPattern}s (GPT-2's {@code ByteLevel} with its regex is r50k), with no
 * normalizer and no prefix space. Anything else is refused with the reason.
 */
public final class HuggingFaceFormat {
    private HuggingFaceFormat() {}

    /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest move to U+0100 and up. */
    public static char[] byteToUnicode() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + n++);
        }
        return map;
    }

    public static String toJson(Tokenizer tokenizer) {
        Vocabulary v = tokenizer.vocabulary();
        char[] b2u = byteToUnicode();
        String[] names = new String[v.size()];
        for (int id = 0; id < v.size(); id++) {
            byte[] t = v.token(id);
            char[] c = new char[t.length];
            for (int i = 0; i < t.length; i++) {
                c[i] = b2u[t[i] & 0xFF];
            }
            names[id] = new String(c);
        }
        StringBuilder sb = new StringBuilder(v.size() * 40);
        sb.append("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
        boolean first = true;
        for (Map.Entry<String, Integer> e : tokenizer.specialTokens().entrySet()) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            sb.append("    {\"id\": ").append(e.getValue()).append(", \"content\": ");
            quote(sb, e.getKey());
            sb.append(
                    ", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}");
        }
        sb.append("\n  ],\n  \"normalizer\": null,\n");
        sb.append("  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [\n");
        sb.append("    {\"type\": \"Split\", \"pattern\": {\"Regex\": ");
        quote(sb, tokenizer.pattern().regex());
        sb.append("}, \"behavior\": \"Isolated\", \"invert\": false},\n");
        sb.append(
                "    {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}\n  ]},\n");
        sb.append("  \"post_processor\": null,\n");
        sb.append(
                "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n");
        sb.append(
                "  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null,\n");
        sb.append(
                "    \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": true,\n");
        sb.append("    \"vocab\": {");
        for (int id = 0; id < v.size(); id++) {
            sb.append(id == 0 ? "\n      " : ",\n      ");
            quote(sb, names[id]);
            sb.append(": ").append(id);
        }
        sb.append("\n    },\n    \"merges\": [");
        first = true;
        for (int id = 0; id < v.size(); id++) {
            byte[] t = v.token(id);
            for (int k = 1; k < t.length; k++) {
                int left = v.lookup(t, 0, k);
                int right = left < 0 ? -1 : v.lookup(t, k, t.length);
                if (right >= 0) {
                    sb.append(first ? "\n      " : ",\n      ");
                    first = false;
                    quote(sb, names[left] + " " + names[right]);
                }
            }
        }
        sb.append("\n    ]\n  }\n}\n");
        return sb.toString();
    }

    /** Reads a byte-level BPE tokenizer.json; {@link IllegalArgumentException} says why one cannot be. */
    public static Tokenizer fromJson(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer.json is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("tokenizer.json is not a JSON object");
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(
                    "tokenizer.json: model type '" + model.path("type").asText() + "' is not BPE");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new IllegalArgumentException(
                    "tokenizer.json: a normalizer is not supported (byte-level BPE has none)");
        }
        SplitPattern pattern = pattern(root.path("pre_tokenizer"));
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (JsonNode a : root.path("added_tokens"))
            specials.put(a.path("content").asText(), a.path("id").asInt());
        Map<Integer, byte[]> byId = new HashMap<>();
        Map<String, Integer> vocab = new HashMap<>();
        int[] u2b = new int[512];
        Arrays.fill(u2b, -1);
        char[] b2u = byteToUnicode();
        for (int b = 0; b < 256; b++) u2b[b2u[b]] = b;
        for (var it = model.path("vocab").fields(); it.hasNext(); ) {
            var e = it.next();
            int id = e.getValue().asInt(-1);
            vocab.put(e.getKey(), id);
            if (specials.containsKey(e.getKey()) && specials.get(e.getKey()) == id) continue; // listed as added token
            String name = e.getKey();
            byte[] bytes = new byte[name.length()];
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c >= u2b.length || u2b[c] < 0) {
                    throw new IllegalArgumentException(
                            "tokenizer.json: vocabulary entry '" + name + "' is not in the byte-level alphabet");
                }
                bytes[i] = (byte) u2b[c];
            }
            if (byId.put(id, bytes) != null)
                throw new IllegalArgumentException("tokenizer.json: id " + id + " appears twice in the vocabulary");
        }
        List<byte[]> tokens = new ArrayList<>(byId.size());
        for (int id = 0; id < byId.size(); id++) {
            byte[] t = byId.get(id);
            if (t == null)
                throw new IllegalArgumentException(
                        "tokenizer.json: vocabulary ids are not 0.." + (byId.size() - 1) + " (no id " + id + ")");
            tokens.add(t);
        }
        int last = -1, i = 0;
        for (JsonNode m : model.path("merges")) {
            String pair = m.isArray()
                    ? m.get(0).asText() + m.get(1).asText()
                    : m.asText().replaceFirst(" ", "");
            Integer id = vocab.get(pair);
            if (id == null)
                throw new IllegalArgumentException(
                        "tokenizer.json: merge " + i + " (" + m + ") makes no vocabulary entry");
            if (id < last) {
                throw new IllegalArgumentException("tokenizer.json: merge " + i + " makes id " + id + " after id "
                        + last + ": merge order differs from id order, which ranks cannot express");
            }
            last = id;
            i++;
        }
        try {
            return Tokenizer.create(pattern, tokens, specials);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tokenizer.json: " + e.getMessage(), e);
        }
    }

    private static SplitPattern pattern(JsonNode pre) {
        if ("ByteLevel".equals(pre.path("type").asText())) { // GPT-2's own: its regex inside the ByteLevel step
            if (pre.path("add_prefix_space").asBoolean(false))
                throw new IllegalArgumentException("tokenizer.json: add_prefix_space is not supported");
            if (!pre.path("use_regex").asBoolean(true))
                throw new IllegalArgumentException(
                        "tokenizer.json: a ByteLevel pre-tokenizer without a regex is not supported");
            return SplitPattern.R50K;
        }
        JsonNode steps = pre.path("pretokenizers");
        if ("Sequence".equals(pre.path("type").asText())
                && steps.size() == 2
                && "Split".equals(steps.get(0).path("type").asText())
                && "ByteLevel".equals(steps.get(1).path("type").asText())
                && !steps.get(1).path("use_regex").asBoolean(true)
                && !steps.get(1).path("add_prefix_space").asBoolean(false)) {
            String regex = steps.get(0).path("pattern").path("Regex").asText();
            for (SplitPattern p : SplitPattern.values()) {
                if (p.regex().equals(regex)) return p;
            }
            throw new IllegalArgumentException(
                    "tokenizer.json: the split regex is none of r50k, cl100k, cl100k-single-digits, o200k: " + regex);
        }
        throw new IllegalArgumentException(
                "tokenizer.json: pre-tokenizer " + pre.path("type").asText("(none)")
                        + " is not a byte-level BPE one (Split + ByteLevel, or GPT-2's ByteLevel)");
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
