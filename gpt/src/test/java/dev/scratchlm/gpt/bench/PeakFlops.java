package dev.scratchlm.gpt.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Theoretical float32 peak of this machine's two cores, for MFU-style ratios. */
final class PeakFlops {
    private PeakFlops() {}

    /**
     * 2 cores x clock x 64 FLOP/cycle: two 512-bit FMA pipes x 16 float lanes x 2. The CPU reports
     * avx512_vp2intersect (AMD Zen 5, full-width AVX-512), and OpenBLAS was measured at up to 320
     * GFLOP/s on two threads here, above what a 32 FLOP/cycle core could do.
     */
    static double twoCoreGflops() {
        double ghz = 2.5;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    ghz = Double.parseDouble(
                                    line.substring(line.indexOf(':') + 1).trim())
                            / 1000.0;
                    break;
                }
            }
        } catch (Exception e) {
            // keep the default clock
        }
        return 2 * ghz * 64;
    }
}
