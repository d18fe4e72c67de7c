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
    private GptRuntime() {}

    /** Sets OpenBLAS's thread count (the matrix products); the Java kernels run on the caller's thread. */
    public static void configureThreads(int blasThreads) {
        if (blasThreads <= 0) throw new IllegalArgumentException("blasThreads must be > 0, got " + blasThreads);
        Blas.setThreads(blasThreads);
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
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
