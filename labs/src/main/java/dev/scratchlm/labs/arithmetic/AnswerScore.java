package dev.scratchlm.labs.arithmetic;

import java.util.Map;
import java.util.TreeMap;

/**
 * Exact-match accuracy by digit count. A model's answer is untrusted text: it counts only when, with surrounding
 * whitespace removed, it is exactly the expected digits (a longer answer that starts right is wrong).
 */
public final class AnswerScore {
    private final int[] correct, total;

    public AnswerScore(int maxDigits) {
        correct = new int[maxDigits + 1];
        total = new int[maxDigits + 1];
    }

    /** Whether {@code answer} is exactly {@code expected}, ignoring leading and trailing whitespace. */
    public static boolean matches(String expected, String answer) {
        return answer != null && answer.strip().equals(expected);
    }

    /** Scores one answer; returns whether it was right. */
    public boolean add(int digits, String expected, String answer) {
        boolean ok = matches(expected, answer);
        total[digits]++;
        if (ok) correct[digits]++;
        return ok;
    }

    public int correct(int digits) {
        return correct[digits];
    }

    public int total(int digits) {
        return total[digits];
    }

    /** Share right at this digit count; NaN when none was asked. */
    public double accuracy(int digits) {
        return total[digits] == 0 ? Double.NaN : correct[digits] / (double) total[digits];
    }

    /** Accuracy by digit count, for the digit counts that were asked. */
    public Map<Integer, Double> byDigits() {
        Map<Integer, Double> m = new TreeMap<>();
        for (int d = 1; d < total.length; d++) if (total[d] > 0) m.put(d, accuracy(d));
        return m;
    }
}
