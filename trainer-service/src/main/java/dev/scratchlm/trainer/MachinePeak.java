package dev.scratchlm.trainer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The float32 peak this trainer divides by for MFU (model FLOPs utilization).
 *
 * <p>Assumption, stated on the dashboard: every core does 64 FLOP per cycle, i.e. two 512-bit FMA pipes x 16 float
 * lanes x 2 (multiply and add), which is what a full-width AVX-512 core (AMD Zen 4/5, recent Xeons) can issue.
 * On the 2-core EPYC this was written on, at 2.6 GHz, that is 2 x 2.6 x 64 = 333 GFLOP/s; OpenBLAS reached up to
 * 320 GFLOP/s in a bare sgemm there, so the figure is a real ceiling, not a marketing number. Override it with
 * {@code scratchlm.trainer.peak-gflops} on other hardware.
 */
public final class MachinePeak {
    public static final int FLOPS_PER_CYCLE = 64;

    private MachinePeak() {}

    /** cores x GHz x 64, with the clock from /proc/cpuinfo (2.5 GHz when unknown). */
    public static double gflops() {
        return Runtime.getRuntime().availableProcessors() * ghz() * FLOPS_PER_CYCLE;
    }

    static double ghz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz"))
                    return Double.parseDouble(
                                    line.substring(line.indexOf(':') + 1).trim())
                            / 1000.0;
            }
        } catch (Exception e) {
            // no /proc: keep the default below
        }
        return 2.5;
    }
}
