package dev.scratchlm.chat;

/**
 * Hand-written JSON for the per-token hot path: a streamed chunk is a few fixed fields around one piece of
 * text, and writing it straight into a reused StringBuilder costs far less than an object mapper per token.
 */
final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {}

    /** Appends {@code s} as a JSON string literal, or {@code null}. */
    static void quote(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Control characters, and U+2028/2029 which some JavaScript parsers treat as line ends.
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append("\\u")
                                .append(HEX[c >> 12 & 15])
                                .append(HEX[c >> 8 & 15])
                                .append(HEX[c >> 4 & 15])
                                .append(HEX[c & 15]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** A float as JSON: finite values as is, -Infinity (log of a zero probability) as a very negative number. */
    static void number(StringBuilder sb, float f) {
        if (Float.isNaN(f)) sb.append("null");
        else if (Float.isInfinite(f)) sb.append(f > 0 ? "3.4028235E38" : "-9999.0");
        else sb.append(f);
    }

    /** A byte array as a JSON array of unsigned bytes (OpenAI's {@code bytes} field of a logprob). */
    static void bytes(StringBuilder sb, byte[] b) {
        sb.append('[');
        for (int i = 0; i < b.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(b[i] & 0xFF);
        }
        sb.append(']');
    }
}
