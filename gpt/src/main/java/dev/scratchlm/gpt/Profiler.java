package dev.scratchlm.gpt;

/**
 * Optional per-op wall-time breakdown (off by default; costs one branch per op when off). Turned on by
 * the training benchmark's {@code --profile} flag to show where a step's time goes.
 */
public final class Profiler {
    static final int EMBED = 0,
            LAYERNORM = 1,
            MATMUL = 2,
            ATTENTION = 3,
            GELU = 4,
            RESIDUAL = 5,
            SOFTMAX_CE = 6,
            ADAMW = 7,
            GRADNORM = 8,
            DROPOUT = 9,
            ZERO_GRAD = 10;
    private static final String[] NAMES = {
        "embedding",
        "layernorm",
        "matmul",
        "attention",
        "gelu",
        "residual",
        "softmax_ce",
        "adamw",
        "grad_norm",
        "dropout",
        "zero_grad"
    };
    private static final long[] FWD = new long[NAMES.length], BWD = new long[NAMES.length];
    static boolean enabled;
    static boolean inBackward;
    /** Only the thread that enabled profiling records (worker 0's share of a data-parallel step). */
    private static Thread owner;

    private Profiler() {}

    public static void enable(boolean on) {
        owner = Thread.currentThread();
        enabled = on;
    }

    public static void reset() {
        java.util.Arrays.fill(FWD, 0);
        java.util.Arrays.fill(BWD, 0);
    }

    static void backwardPhase(boolean backward) {
        if (Thread.currentThread() == owner) inBackward = backward;
    }

    static long start() {
        return enabled && Thread.currentThread() == owner ? System.nanoTime() : 0L;
    }

    static void stop(int op, long t0) {
        if (enabled && Thread.currentThread() == owner) (inBackward ? BWD : FWD)[op] += System.nanoTime() - t0;
    }

    /** One line per op: forward and backward milliseconds per step, and the share of the total. */
    public static String report(long steps) {
        long total = 0;
        for (int i = 0; i < NAMES.length; i++) total += FWD[i] + BWD[i];
        StringBuilder sb = new StringBuilder(String.format("%-11s %9s %9s %6s%n", "op", "fwd_ms", "bwd_ms", "share"));
        for (int i = 0; i < NAMES.length; i++) {
            if (FWD[i] + BWD[i] == 0) continue;
            sb.append(String.format(
                    "%-11s %9.3f %9.3f %5.1f%%%n",
                    NAMES[i], FWD[i] / 1e6 / steps, BWD[i] / 1e6 / steps, 100.0 * (FWD[i] + BWD[i]) / total));
        }
        sb.append(String.format("%-11s %9.3f ms per step%n", "total", total / 1e6 / steps));
        return sb.toString();
    }
}
