package dev.scratchlm.labs.arithmetic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic addition problems {@code a + b = c} whose operands both have the same number of digits (1 up to a
 * maximum), the same number of problems for every digit count, drawn from a fixed seed.
 *
 * <p>A problem is the unordered pair {a, b}: {@code 3 + 5} and {@code 5 + 3} are the same problem, so a test problem
 * never appears in training in either order (the swapped one would give its answer away). The test split is drawn
 * first, and always holds the {@link #EXAMPLE} problem when its digit count is in range; training problems are then
 * drawn (with repeats, as training sees many epochs anyway) from the pairs the test split does not hold.
 */
public final class AdditionProblems {
    /** The lab's running example: shown split by each tokenizer next to each model's answer. */
    public static final Problem EXAMPLE = new Problem(94569, 32458);

    /** One problem. The prompt is {@code "a + b ="}; the answer follows it after a space. */
    public record Problem(long a, long b) {
        public Problem {
            if (a < 0 || b < 0) throw new IllegalArgumentException("operands must be >= 0, got " + a + ", " + b);
            if (digitCount(a) != digitCount(b)) {
                throw new IllegalArgumentException("operands differ in digits: " + a + ", " + b);
            }
        }

        public int digits() {
            return digitCount(a);
        }

        public long sum() {
            return a + b;
        }

        public String prompt() {
            return a + " + " + b + " =";
        }

        /** The answer's digits, most significant first ({@code reversed} false) or least significant first. */
        public String answer(boolean reversed) {
            String s = Long.toString(sum());
            return reversed ? new StringBuilder(s).reverse().toString() : s;
        }

        /** The whole line as trained on: prompt, a space, the answer. */
        public String text(boolean reversed) {
            return prompt() + " " + answer(reversed);
        }

        /** The same problem in either operand order. */
        public Problem unordered() {
            return a <= b ? this : new Problem(b, a);
        }
    }

    /** The two splits; they share no problem. */
    public record Splits(List<Problem> train, List<Problem> test) {
        public Splits {
            train = List.copyOf(train);
            test = List.copyOf(test);
        }
    }

    private AdditionProblems() {}

    static int digitCount(long n) {
        return Long.toString(n).length();
    }

    /** Distinct unordered problems with d-digit operands (0..9 count as one digit). */
    static long capacity(int digits) {
        long lo = digits == 1 ? 0 : pow10(digits - 1), n = pow10(digits) - lo;
        return n * (n + 1) / 2;
    }

    /**
     * Splits for operands of 1..maxDigits digits: {@code trainPerDigit} training problems and up to
     * {@code testPerDigit} test problems per digit count (fewer where a quarter of all distinct problems is less, so
     * that 1-digit training still has most problems to learn from).
     */
    public static Splits generate(long seed, int maxDigits, int trainPerDigit, int testPerDigit) {
        if (maxDigits < 1 || maxDigits > 9)
            throw new IllegalArgumentException("maxDigits must be 1..9, got " + maxDigits);
        if (trainPerDigit < 1 || testPerDigit < 1) {
            throw new IllegalArgumentException("need at least one training and one test problem per digit count");
        }
        Random rng = new Random(seed);
        List<Problem> train = new ArrayList<>(), test = new ArrayList<>();
        for (int d = 1; d <= maxDigits; d++) {
            int nTest = (int) Math.min(testPerDigit, Math.max(1, capacity(d) / 4));
            Set<Problem> held = new HashSet<>();
            if (EXAMPLE.digits() == d) held.add(EXAMPLE.unordered());
            List<Problem> testD = new ArrayList<>(held.isEmpty() ? List.of() : List.of(EXAMPLE));
            while (testD.size() < nTest) {
                Problem p = draw(rng, d);
                if (held.add(p.unordered())) testD.add(p);
            }
            test.addAll(testD);
            for (int i = 0; i < trainPerDigit; ) {
                Problem p = draw(rng, d);
                if (!held.contains(p.unordered())) {
                    train.add(p);
                    i++;
                }
            }
        }
        return new Splits(train, test);
    }

    private static Problem draw(Random rng, int digits) {
        long lo = digits == 1 ? 0 : pow10(digits - 1), span = pow10(digits) - lo;
        return new Problem(lo + (long) (rng.nextDouble() * span), lo + (long) (rng.nextDouble() * span));
    }

    private static long pow10(int e) {
        long r = 1;
        for (int i = 0; i < e; i++) r *= 10;
        return r;
    }
}
