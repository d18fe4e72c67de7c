package dev.scratchlm.chat;

import java.util.List;

/**
 * Cuts generated text at the first stop sequence, even when one arrives split over several tokens. Text that
 * could still turn out to be the start of a stop sequence is held back until the next tokens decide it, so no
 * part of a stop sequence ever reaches the client.
 */
final class StopSequences {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopSequences(List<String> stops) {
        this.stops = stops;
    }

    /** Adds decoded text and returns the part that is now safe to show (possibly empty). */
    String push(String text) {
        if (stopped) return "";
        if (stops.isEmpty()) return text;
        held.append(text);
        int cut = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = held.substring(0, cut);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) keep = Math.max(keep, partialMatch(held, s));
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop sequence was found: the answer is over. */
    boolean stopped() {
        return stopped;
    }

    /** The answer ended without a stop sequence: whatever was held back is plain text after all. */
    String finish() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code stop}. */
    static int partialMatch(CharSequence text, String stop) {
        int max = Math.min(text.length(), stop.length() - 1);
        for (int k = max; k > 0; k--) {
            boolean match = true;
            for (int i = 0; i < k && match; i++) {
                match = text.charAt(text.length() - k + i) == stop.charAt(i);
            }
            if (match) return k;
        }
        return 0;
    }
}
