package dev.scratchlm.gpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process-wide settings and measurements: the OpenBLAS thread count and this process's memory use.
 *
 * <p>Threads must be pinned: libgomp busy-waits by default and two pools fighting over two cores made
 * training 3-5x slower here. Run with {@code OMP_NUM_THREADS} set and {@code OMP_WAIT_POLICY=PASSIVE},
 * and call {@link #configureThreads(int)} once. Cap ND4J's off-heap memory with
 * {@code -Dorg.bytedeco.javacpp.maxbytes} and {@code maxphysicalbytes}.
 */
public final class GptRuntime {
    /**
     * JVM options the model wants. The Vector API module is required. The CompileCommands keep the JIT
     * from inlining the kernels into the big per-layer loops: there C2 ran out of inlining budget and
     * left some vector operations as boxed fallbacks (slow, and allocating on every step); compiled on
     * their own the kernels are fully intrinsified. The javacpp limits cap off-heap memory.
     */
    public static final java.util.List<String> JVM_FLAGS = java.util.List.of(
            "--add-modules=jdk.incubator.vector",
            "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Gelu::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.LayerNorm::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Linear::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Attention::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.CrossEntropy::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Embedding::*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.AdamW::update",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Kernels::add*",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Kernels::fill",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Kernels::copy",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Kernels::scale",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Kernels::sumSquares",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Gpt::residual",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Gpt::mulInto",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.Gpt::dropout",
            "-XX:CompileCommand=dontinline,dev.scratchlm.gpt.KvCacheDecoder::attend",
            "-Dorg.bytedeco.javacpp.maxbytes=4G",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G");

    private static volatile int threads = defaultThreads();
    private static volatile boolean blasPinned;

    private GptRuntime() {}

    /**
     * Worker threads a new {@link Gpt} splits its batches over. Each worker calls OpenBLAS
     * single-threaded: two Java threads each running a one-thread sgemm measured 2x one thread,
     * while OpenBLAS's own threads lost time on these small matrices. Default: the
     * {@code scratchlm.threads} system property, else {@code SCRATCHLM_THREADS}, else the number of
     * processors, at most 2 (the machines this targets).
     */
    public static int threads() {
        pinBlas();
        return threads;
    }

    /** Sets the worker count for models created afterwards, and pins OpenBLAS to one thread. */
    public static void configureThreads(int workers) {
        if (workers <= 0) throw new IllegalArgumentException("workers must be > 0, got " + workers);
        threads = workers;
        pinBlas();
    }

    private static void pinBlas() {
        if (!blasPinned) {
            Blas.setThreads(1);
            blasPinned = true;
            warnAboutMissingFlags();
        }
    }

    /** Says once on stderr when the JVM lacks the JIT settings above (correct results, slower kernels). */
    private static void warnAboutMissingFlags() {
        try {
            var args = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
            boolean ok = args.stream().anyMatch(a -> a.contains("dontinline,dev.scratchlm.gpt.Gelu"));
            if (!ok) {
                System.err.println("dev.scratchlm.gpt: the JVM runs without GptRuntime.JVM_FLAGS; results are "
                        + "the same but kernels may run slower");
            }
        } catch (RuntimeException | LinkageError e) {
            // no management API: nothing to check
        }
    }

    private static int defaultThreads() {
        String v = System.getProperty("scratchlm.threads", System.getenv("SCRATCHLM_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // fall through to the default
            }
        }
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    public static int blasThreads() {
        return Blas.threads();
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is missing. */
    public static long peakRssBytes() {
        return procStatusKb("VmHWM:") * 1024;
    }

    /** Current resident set size (VmRSS), or -1 where /proc is missing. */
    public static long rssBytes() {
        return procStatusKb("VmRSS:") * 1024;
    }

    private static long procStatusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key))
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
