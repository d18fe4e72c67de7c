package dev.scratchlm.gpt;

import dev.scratchlm.gpt.Fixtures.PatternSource;
import java.util.Arrays;

/**
 * A short fixed training run (dropout on, two workers) whose losses and final weights a test compares
 * between this JVM, after its kernels are compiled by C2, and a child JVM limited to C1 (which runs the
 * Vector API's Java fallbacks, as the interpreter does): they must agree bit for bit.
 */
final class JitStageRun {
    static final int STEPS = 12;

    private JitStageRun() {}

    /** Hex bits of each step's loss, then a hash of the final weights' bits. */
    static String run(long seed) {
        GptConfig cfg = new GptConfig(64, 32, 2, 2, 32, 0.1f);
        Trainer tr = new Trainer(new Gpt(cfg, 4, seed, 2), Fixtures.trainer(4, 32, 2, 3e-3f));
        tr.model().dropoutRng().setState(seed);
        PatternSource src = new PatternSource(seed, cfg.vocabSize(), false);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < STEPS; i++)
            out.append(Integer.toHexString(Float.floatToRawIntBits(tr.step(src))))
                    .append(' ');
        return out.append("weights=")
                .append(Integer.toHexString(Arrays.hashCode(tr.model().copyWeights())))
                .toString();
    }

    public static void main(String[] args) {
        System.out.println("run: " + run(Long.parseLong(args[0])));
    }
}
