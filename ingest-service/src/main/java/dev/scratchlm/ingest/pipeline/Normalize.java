package dev.scratchlm.ingest.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;

/**
 * Unicode NFC, then whitespace: one space between words, no spaces at line ends, at most one blank line in a row,
 * control characters dropped. The document id is the SHA-256 of the result, so the same text is the same id
 * whatever its source, encoding form or spacing.
 */
public final class Normalize implements Step {
    @Override
    public String name() {
        return "normalize";
    }

    @Override
    public String description() {
        return "Unicode NFC and whitespace normalization; id = SHA-256 of the result";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        String text = doc.text;
        if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) text = Normalizer.normalize(text, Normalizer.Form.NFC);
        doc.text = whitespace(text);
        doc.textChanged();
        if (doc.text.isEmpty()) return new Rejection("empty", "no text left after extraction and normalization");
        doc.id = sha256(doc.text);
        return null;
    }

    static String whitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int pendingNewlines = 0;
        boolean pendingSpace = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                if (i + 1 < n && s.charAt(i + 1) == '\n') continue; // CRLF: the LF counts
                c = '\n';
            }
            if (c == '\n' || c == '\u2028' || c == '\u2029' || c == '\u000B' || c == '\u000C') {
                pendingNewlines++;
                pendingSpace = false; // trailing spaces of a line are dropped
            } else if (c == ' ' || c == '\t' || Character.isSpaceChar(c)) {
                pendingSpace = true;
            } else if (Character.isISOControl(c) || c == '\uFEFF' || c == '\u200B') {
                // control characters and zero-width marks carry no text
            } else {
                if (out.length() > 0) {
                    if (pendingNewlines > 0) out.append(pendingNewlines > 1 ? "\n\n" : "\n");
                    else if (pendingSpace) out.append(' ');
                }
                pendingNewlines = 0;
                pendingSpace = false;
                out.append(c);
            }
        }
        return out.toString();
    }

    public static String sha256(String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
