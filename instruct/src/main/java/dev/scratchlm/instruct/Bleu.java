package dev.scratchlm.instruct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Corpus BLEU-4 as the E2E NLG challenge measures it: NIST {@code mteval-v13a.pl}'s tokenization, lower-cased,
 * several references per output, clipped n-gram counts summed over the corpus, the brevity penalty against the
 * reference length closest to each output (the shorter one on a tie), and mteval's default smoothing of an n-gram
 * order without any match (1/2^k instead of 0, k counting such orders). Written here because no maintained Java
 * library implements mteval's tokenization and length rule; the steps follow the Perl script line by line.
 */
public final class Bleu {
    private Bleu() {}

    public static final int MAX_ORDER = 4;

    // mteval-v13a "tokenization": the character class [\{-\~\[-\` -\&\(-\+\:-\@\/] is { | } ~ [ \ ] ^ _ ` space ! " # $
    // % &
    // ( ) * + : ; < = > ? @ / - apostrophe and hyphen are not in it.
    private static final Pattern PUNCT = Pattern.compile("([{-~\\[-` -&(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER_NONDIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NONDIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    /** Corpus BLEU-4 in 0..1; {@code references.get(i)} are the references of {@code hypotheses.get(i)}. */
    public static double corpus(List<String> hypotheses, List<List<String>> references) {
        return stats(hypotheses, references).score();
    }

    /** The summed counts behind the score, for reports (precisions, length ratio). */
    public record Stats(long[] matches, long[] totals, long hypothesisLength, long referenceLength) {
        public double precision(int order) {
            return totals[order - 1] == 0 ? 0 : (double) matches[order - 1] / totals[order - 1];
        }

        public double brevityPenalty() {
            if (hypothesisLength == 0) {
                return 0;
            }
            return Math.exp(Math.min(0, 1 - (double) referenceLength / hypothesisLength));
        }

        /** mteval-v13a's bleu_score: geometric mean of the precisions (smoothed where zero) times the brevity penalty. */
        public double score() {
            double logSum = 0;
            double smooth = 1;
            for (int n = 0; n < MAX_ORDER; n++) {
                if (totals[n] == 0) {
                    continue; // log(1): no n-grams of this order at all
                }
                if (matches[n] == 0) {
                    smooth *= 2;
                    logSum += Math.log(1 / (smooth * totals[n]));
                } else {
                    logSum += Math.log((double) matches[n] / totals[n]);
                }
            }
            return Math.exp(logSum / MAX_ORDER) * brevityPenalty();
        }
    }

    public static Stats stats(List<String> hypotheses, List<List<String>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(
                    hypotheses.size() + " hypotheses but " + references.size() + " reference sets");
        }
        long[] matches = new long[MAX_ORDER];
        long[] totals = new long[MAX_ORDER];
        long hypLength = 0;
        long refLength = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> refs = references.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("hypothesis " + i + " has no reference");
            }
            List<String> hyp = tokenize(hypotheses.get(i));
            Map<String, Integer> maxRefCounts = new HashMap<>();
            int closest = -1;
            for (String ref : refs) {
                List<String> words = tokenize(ref);
                closest = closest < 0 ? words.size() : closestLength(closest, words.size(), hyp.size());
                for (Map.Entry<String, Integer> e : ngrams(words).entrySet()) {
                    maxRefCounts.merge(e.getKey(), e.getValue(), Math::max);
                }
            }
            for (Map.Entry<String, Integer> e : ngrams(hyp).entrySet()) {
                int order = order(e.getKey());
                matches[order - 1] += Math.min(e.getValue(), maxRefCounts.getOrDefault(e.getKey(), 0));
            }
            for (int n = 1; n <= MAX_ORDER; n++) {
                totals[n - 1] += Math.max(0, hyp.size() - n + 1);
            }
            hypLength += hyp.size();
            refLength += closest;
        }
        return new Stats(matches, totals, hypLength, refLength);
    }

    /** mteval-v13a's brevity_penalty_closest: the reference length nearer the candidate's, the shorter on a tie. */
    static int closestLength(int current, int reference, int candidate) {
        int dRef = Math.abs(candidate - reference);
        int dCur = Math.abs(candidate - current);
        if (dRef < dCur || (dRef == dCur && reference < current)) {
            return reference;
        }
        return current;
    }

    /** mteval-v13a's tokenization (Western languages), lower-cased as without its -c flag. */
    public static List<String> tokenize(String text) {
        String t = text.replace("<skipped>", "")
                .replace("-\n", "")
                .replace("\n", " ")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
        t = " " + asciiLower(t) + " ";
        t = PUNCT.matcher(t).replaceAll(" $1 ");
        t = PERIOD_COMMA_AFTER_NONDIGIT.matcher(t).replaceAll("$1 $2 ");
        t = PERIOD_COMMA_BEFORE_NONDIGIT.matcher(t).replaceAll(" $1 $2");
        t = DASH_AFTER_DIGIT.matcher(t).replaceAll("$1 $2 ");
        t = SPACES.matcher(t).replaceAll(" ").strip();
        List<String> words = new ArrayList<>();
        if (!t.isEmpty()) {
            for (String w : t.split(" ")) {
                words.add(w);
            }
        }
        return words;
    }

    // Perl's tr/[A-Z]/[a-z]/ changes ASCII letters only.
    private static String asciiLower(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] = (char) (c[i] + ('a' - 'A'));
            }
        }
        return new String(c);
    }

    private static Map<String, Integer> ngrams(List<String> words) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            StringBuilder gram = new StringBuilder();
            for (int n = 0; n < MAX_ORDER && i + n < words.size(); n++) {
                if (n > 0) {
                    gram.append(' ');
                }
                gram.append(words.get(i + n));
                counts.merge(gram.toString(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int order(String gram) {
        int n = 1;
        for (int i = 0; i < gram.length(); i++) {
            if (gram.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }
}
