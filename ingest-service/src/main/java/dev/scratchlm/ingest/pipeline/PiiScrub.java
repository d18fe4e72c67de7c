package dev.scratchlm.ingest.pipeline;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces e-mail addresses, IP addresses and phone numbers by placeholders and counts them per kind. Order matters:
 * e-mails first (their digits are not phone numbers), then IPs (dotted quads look like digit groups), then phones.
 * Phone patterns are deliberately narrow (international prefix, bracketed area code, or NNN-NNN-NNNN) so that years,
 * amounts and article numbers in ordinary prose survive.
 */
public final class PiiScrub implements Step {
    public static final String EMAIL = "<EMAIL>";
    public static final String IP = "<IP>";
    public static final String PHONE = "<PHONE>";

    private static final Pattern EMAIL_RE = Pattern.compile(
            "(?<![\\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,}\\b");
    private static final Pattern IP_RE = Pattern.compile(
            "(?<![\\d.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![\\d.]\\d)"
                    + "|(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\\w:])");
    private static final Pattern PHONE_RE = Pattern.compile(
            "(?<![\\w+])\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{2,4}){2,4}(?!\\w)"
                    + "|(?<!\\w)\\(\\d{2,4}\\)[ .-]?\\d{3,4}[ .-]?\\d{3,4}(?!\\w)"
                    + "|(?<![\\w.-])\\d{3}[.-]\\d{3}[.-]\\d{4}(?![\\w-])");

    @Override
    public String name() {
        return "pii";
    }

    @Override
    public String description() {
        return "replace e-mail addresses, IP addresses and phone numbers by " + EMAIL + ", " + IP + ", " + PHONE;
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        String text = doc.text;
        // Cheap guards first: most prose has no '@' and no long digit runs, and a regex scan costs more than indexOf.
        if (text.indexOf('@') >= 0) text = replace(doc, text, EMAIL_RE, EMAIL, "email");
        if (hasDigits(text, 6)) {
            text = replace(doc, text, IP_RE, IP, "ip");
            text = replace(doc, text, PHONE_RE, PHONE, "phone");
        }
        if (text != doc.text) {
            doc.text = text;
            doc.textChanged();
            // The id (and exact-dedup key) is the hash of the text as published: a hash of the unscrubbed text would
            // let anyone holding the document confirm a guessed e-mail address or phone number.
            doc.id = Normalize.sha256(text);
        }
        return null;
    }

    private static String replace(Doc doc, String text, Pattern pattern, String placeholder, String kind) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) return text;
        StringBuilder out = new StringBuilder(text.length());
        int count = 0;
        do {
            m.appendReplacement(out, placeholder);
            count++;
        } while (m.find());
        m.appendTail(out);
        doc.piiReplaced.merge(kind, count, Integer::sum);
        return out.toString();
    }

    /** True when the text has at least {@code min} digits in total (IPs and phones need that many). */
    private static boolean hasDigits(String text, int min) {
        int digits = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && ++digits >= min) return true;
        }
        return false;
    }
}
