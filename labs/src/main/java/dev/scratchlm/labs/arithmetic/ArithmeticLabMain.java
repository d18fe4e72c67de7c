package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.gpt.GptRuntime;
import java.nio.file.Path;

/**
 * {@code ./scratchlm lab arithmetic}: runs the lab with progress on stdout, writes {@code OUT_DIR/arithmetic.json}
 * and prints, last, the summary line ({@code acc_gpt2=… acc_groups3=… acc_single=…} at 5 digits, then the
 * reversed form's).
 *
 * <p>Usage: {@code ArithmeticLabMain [OUT_DIR] [--steps N] [--parallel N]} (default OUT_DIR
 * {@code .scratchlm/labs}).
 */
public final class ArithmeticLabMain {
    private ArithmeticLabMain() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(".scratchlm/labs");
        LabConfig cfg = LabConfig.full(GptRuntime.threads());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> cfg = cfg.withSteps(intArg(args, ++i));
                case "--parallel" -> cfg = cfg.withParallel(intArg(args, ++i));
                default -> {
                    if (args[i].startsWith("--")) usage("unknown option " + args[i]);
                    out = Path.of(args[i]);
                }
            }
        }
        String summary = ArithmeticLab.run(cfg, out, line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        });
        System.out.println("wrote " + out.resolve(ArithmeticLab.NAME + ".json"));
        System.out.println(summary);
    }

    private static int intArg(String[] args, int i) {
        if (i >= args.length) usage("missing number after " + args[i - 1]);
        try {
            return Integer.parseInt(args[i]);
        } catch (NumberFormatException e) {
            usage("not a number: " + args[i]);
            return 0;
        }
    }

    private static void usage(String why) {
        System.err.println(why + "\nusage: ArithmeticLabMain [OUT_DIR] [--steps N] [--parallel N]");
        System.exit(2);
    }
}
