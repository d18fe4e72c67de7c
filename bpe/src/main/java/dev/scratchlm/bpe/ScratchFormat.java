package dev.scratchlm.bpe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ScratchLM's own tokenizer file: readable text, one fact per line, merges in the order they were
 * learned (like minbpe's .model files).
 *
 * <pre>
 * scratchlm-bpe 1
 * pattern cl100k
 * numbers groups-of-3
 * special 16640 &lt;|endoftext|&gt;
 * merges 16384
 * 32 116
 * ...
 * </pre>
 *
 * Ids 0..255 are the bytes 0..255; merge line k makes token 256 + k from the two ids on it.
 */
public final class ScratchFormat {
    private static final String MAGIC = "scratchlm-bpe 1";

    private ScratchFormat() {}

    /** The tokenizer as text. Fails for a vocabulary whose ids 0..255 are not the bytes in order. */
    public static String toText(Tokenizer tokenizer) {
        Vocabulary v = tokenizer.vocabulary();
        for (int b = 0; b < 256; b++) {
            if (v.byteId(b) != b) {
                throw new IllegalStateException("ids 0..255 of tokenizer " + tokenizer.id()
                        + " are not the bytes in order; export it as a tiktoken rank file instead");
            }
        }
        int[] parents = tokenizer.mergeParents();
        StringBuilder sb = new StringBuilder(parents.length * 5 + 256);
        sb.append(MAGIC).append('\n');
        sb.append("pattern ").append(tokenizer.patternName()).append('\n');
        sb.append("numbers ").append(tokenizer.numberPolicy().id()).append('\n');
        for (Map.Entry<String, Integer> e : tokenizer.specialTokens().entrySet()) {
            sb.append("special ")
                    .append(e.getValue())
                    .append(' ')
                    .append(e.getKey())
                    .append('\n');
        }
        sb.append("merges ").append(parents.length / 2).append('\n');
        for (int i = 0; i < parents.length; i += 2) {
            sb.append(parents[i]).append(' ').append(parents[i + 1]).append('\n');
        }
        return sb.toString();
    }

    /** Parses {@link #toText} output; IllegalArgumentException with the line number on anything wrong. */
    public static Tokenizer fromText(String text) {
        String[] lines = text.split("\n", -1);
        int ln = 0;
        if (lines.length == 0 || !lines[0].equals(MAGIC)) {
            throw new IllegalArgumentException("not a ScratchLM tokenizer file: first line must be '" + MAGIC + "'");
        }
        SplitPattern pattern = null;
        NumberPolicy numbers = null;
        Map<String, Integer> specials = new LinkedHashMap<>();
        int merges = -1;
        for (ln = 1; ln < lines.length && merges < 0; ln++) {
            String line = lines[ln];
            int sp = line.indexOf(' ');
            if (sp < 0) {
                throw bad(ln, "expected 'key value', got '" + line + "'");
            }
            String key = line.substring(0, sp);
            String value = line.substring(sp + 1);
            try {
                switch (key) {
                    case "pattern" -> pattern = SplitPattern.fromId(value);
                    case "numbers" -> numbers = NumberPolicy.fromId(value);
                    case "special" -> {
                        int sp2 = value.indexOf(' ');
                        if (sp2 < 0) {
                            throw bad(ln, "expected 'special <id> <text>'");
                        }
                        specials.put(value.substring(sp2 + 1), Integer.parseInt(value.substring(0, sp2)));
                    }
                    case "merges" -> merges = Integer.parseInt(value);
                    default -> throw bad(ln, "unknown key '" + key + "'");
                }
            } catch (NumberFormatException e) {
                throw bad(ln, "not a number: " + e.getMessage());
            }
        }
        if (pattern == null || merges < 0) {
            throw new IllegalArgumentException("tokenizer file lacks its 'pattern' or 'merges' line");
        }
        if (numbers != null && numbers != pattern.numberPolicy()) {
            throw new IllegalArgumentException("pattern " + pattern.id() + " splits numbers as "
                    + pattern.numberPolicy().id() + ", but the file says " + numbers.id());
        }
        List<byte[]> tokens = new ArrayList<>(256 + merges);
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        int[] parents = new int[2 * merges];
        for (int k = 0; k < merges; k++, ln++) {
            if (ln >= lines.length || (ln == lines.length - 1 && lines[ln].isEmpty())) {
                throw new IllegalArgumentException("tokenizer file ends after " + k + " of " + merges + " merges");
            }
            String line = lines[ln];
            int sp = line.indexOf(' ');
            try {
                int left = Integer.parseInt(line.substring(0, Math.max(sp, 0)));
                int right = Integer.parseInt(line.substring(sp + 1));
                int id = 256 + k;
                if (left < 0 || right < 0 || left >= id || right >= id) {
                    throw bad(ln, "merge " + id + " refers to an id that does not exist yet");
                }
                byte[] l = tokens.get(left);
                byte[] r = tokens.get(right);
                byte[] t = java.util.Arrays.copyOf(l, l.length + r.length);
                System.arraycopy(r, 0, t, l.length, r.length);
                tokens.add(t);
                parents[2 * k] = left;
                parents[2 * k + 1] = right;
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw bad(ln, "expected '<left id> <right id>', got '" + line + "'");
            }
        }
        for (; ln < lines.length; ln++) {
            if (!lines[ln].isEmpty()) {
                throw bad(ln, "unexpected text after the merges");
            }
        }
        return Tokenizer.create(pattern, tokens, specials, parents);
    }

    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        Files.writeString(file, toText(tokenizer), StandardCharsets.UTF_8);
    }

    public static Tokenizer load(Path file) throws IOException {
        return fromText(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static IllegalArgumentException bad(int line, String why) {
        return new IllegalArgumentException("tokenizer file line " + (line + 1) + ": " + why);
    }
}
