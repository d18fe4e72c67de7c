package dev.scratchlm.bpe;

import java.util.Map;

/**
 * Exports a tokenizer as a Hugging Face {@code tokenizer.json}: a Split pre-tokenizer with the pattern's
 * regex, then ByteLevel (bytes shown as printable characters, GPT-2's mapping), a BPE model with the
 * vocabulary and merges in that mapping, and the special tokens as added tokens.
 *
 * <p>Merges: every split of a token into two tokens, ordered by the token's rank, so HF's
 * lowest-merge-first rule follows tiktoken's lowest-rank-first; {@code ignore_merges} makes a piece that
 * is itself a token map straight to it, as tiktoken does.
 */
public final class HuggingFaceFormat {
    private HuggingFaceFormat() {
    }

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
            sb.append(", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}");
        }
        sb.append("\n  ],\n  \"normalizer\": null,\n");
        sb.append("  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [\n");
        sb.append("    {\"type\": \"Split\", \"pattern\": {\"Regex\": ");
        quote(sb, tokenizer.pattern().regex());
        sb.append("}, \"behavior\": \"Isolated\", \"invert\": false},\n");
        sb.append("    {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}\n  ]},\n");
        sb.append("  \"post_processor\": null,\n");
        sb.append("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n");
        sb.append("  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null,\n");
        sb.append("    \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": true,\n");
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
