package dev.scratchlm.bpe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * tiktoken's rank files: one {@code <base64 token bytes> <rank>} per line. They carry neither the
 * split pattern nor the special tokens, so loading takes both.
 */
public final class TiktokenFormat {
    /** The special tokens of OpenAI's encodings, as tiktoken defines them. */
    public static final Map<String, Integer> R50K_SPECIALS = Map.of("<|endoftext|>", 50256);

    public static final Map<String, Integer> CL100K_SPECIALS = Map.of(
            "<|endoftext|>",
            100257,
            "<|fim_prefix|>",
            100258,
            "<|fim_middle|>",
            100259,
            "<|fim_suffix|>",
            100260,
            "<|endofprompt|>",
            100276);
    public static final Map<String, Integer> O200K_SPECIALS =
            Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018);

    private TiktokenFormat() {}

    /** Reads a rank file; ranks must be 0..n-1, each once. */
    public static Tokenizer load(InputStream ranks, SplitPattern pattern, Map<String, Integer> specialTokens)
            throws IOException {
        List<byte[]> tokens = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(ranks, StandardCharsets.US_ASCII));
        String line;
        int ln = 0;
        Base64.Decoder base64 = Base64.getDecoder();
        while ((line = in.readLine()) != null) {
            ln++;
            if (line.isEmpty()) {
                continue;
            }
            int sp = line.indexOf(' ');
            int rank;
            byte[] token;
            try {
                token = base64.decode(line.substring(0, Math.max(sp, 0)));
                rank = Integer.parseInt(line.substring(sp + 1));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(
                        "rank file line " + ln + ": expected '<base64> <rank>', got '" + line + "'");
            }
            if (rank < 0 || rank > 50_000_000) {
                throw new IllegalArgumentException("rank file line " + ln + ": rank " + rank + " out of range");
            }
            while (tokens.size() <= rank) {
                tokens.add(null);
            }
            if (tokens.get(rank) != null) {
                throw new IllegalArgumentException("rank file line " + ln + ": rank " + rank + " appears twice");
            }
            tokens.set(rank, token);
        }
        return Tokenizer.create(pattern, tokens, specialTokens);
    }

    /** Writes the mergeable tokens as a rank file (special tokens are not part of the format). */
    public static void write(Tokenizer tokenizer, OutputStream out) throws IOException {
        Vocabulary v = tokenizer.vocabulary();
        Base64.Encoder base64 = Base64.getEncoder();
        StringBuilder sb = new StringBuilder(64 * 1024);
        for (int id = 0; id < v.size(); id++) {
            sb.append(base64.encodeToString(v.token(id))).append(' ').append(id).append('\n');
            if (sb.length() > 60_000) {
                out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                sb.setLength(0);
            }
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
