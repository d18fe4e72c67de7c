package dev.scratchlm.gpt.bench;

import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.Profiler;
import dev.scratchlm.gpt.StepStats;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.gpt.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nanoGPT CPU "baby" run: 4 layers, 4 heads, width 128, context 64, batch 12, byte-level vocab 256,
 * AdamW lr 1e-3 (betas 0.9/0.99, wd 0.1), 100 warm-up steps then cosine to 1e-4, clip 1.0; train on the
 * first 90% of the text, validation loss over 20 batches of the last 10% at the end.
 *
 * <p>wall_s covers the training steps and the final validation (not JVM start-up or reading the file),
 * the same span the PyTorch peer measures. Prints its result LAST as one key=value line.
 *
 * <p>Args: {@code --text FILE [--steps N] [--threads N] [--seed N] [--profile] [--log-every N]}.
 */
public final class TrainerBench {
    public static void main(String[] args) throws Exception {
        Path text = null;
        int steps = 2000, threads = 2, logEvery = 100;
        long seed = 1337;
        boolean profile = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--text" -> text = Path.of(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--log-every" -> logEvery = Integer.parseInt(args[++i]);
                case "--profile" -> profile = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (text == null || !Files.isReadable(text))
            throw new IllegalArgumentException("--text FILE is required and must be readable: " + text);
        byte[] data = Files.readAllBytes(text);
        int split = (int) (data.length * 0.9);

        GptRuntime.configureThreads(threads);
        GptConfig cfg = GptConfig.baby(256);
        TrainerConfig tc = TrainerConfig.babyShakespeare(cfg.blockSize(), 2000);
        Trainer trainer = new Trainer(cfg, tc, seed);
        ByteBatchSource train = new ByteBatchSource(data, 0, split, seed);
        ByteBatchSource val = new ByteBatchSource(data, split, data.length, seed + 1);
        System.out.printf(
                "model: %s, %d parameters, %.1f MFLOP per token; %d worker threads, blas threads %d%n",
                cfg,
                trainer.model().parameterCount(),
                trainer.flopsPerToken() / 1e6,
                trainer.model().threads(),
                GptRuntime.blasThreads());

        long heapBefore = 0, rssBefore = 0;
        var threadBean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocStart = 0;
        int warm = Math.min(10, steps);
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        double lossSum = 0;
        int lossN = 0;
        for (int s = 0; s < steps; s++) {
            if (s == warm) {
                // Growth checks start after warm-up (JIT, lazily created native objects).
                allocStart = threadBean.getCurrentThreadAllocatedBytes();
                rssBefore = GptRuntime.rssBytes();
                if (profile) {
                    Profiler.reset();
                    Profiler.enable(true);
                }
            }
            lossSum += trainer.step(train);
            lossN++;
            if ((s + 1) % logEvery == 0 || s == steps - 1) {
                StepStats st = trainer.lastStepStats();
                System.out.printf(
                        "step %5d  loss %.4f  lr %.2e  grad_norm %.3f  %.1f ms/step (last)%n",
                        st.step(), lossSum / lossN, st.lr(), st.gradNorm(), st.millis());
                lossSum = 0;
                lossN = 0;
            }
        }
        long trainNanos = System.nanoTime() - t0;
        long heapPerStep =
                steps > warm ? (threadBean.getCurrentThreadAllocatedBytes() - allocStart) / (steps - warm) : -1;
        long rssGrowth = GptRuntime.rssBytes() - rssBefore;
        if (profile) {
            Profiler.enable(false);
            System.out.print(Profiler.report(Math.max(1, steps - warm)));
        }
        float valLoss = trainer.evaluate(val, 20);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double msPerStep = trainNanos / 1e6 / steps;
        double tokensPerS = trainer.tokensPerStep() * steps / (trainNanos / 1e9);
        double gflops = trainer.flopsPerToken() * tokensPerS / 1e9;
        double peak = PeakFlops.twoCoreGflops();
        System.out.printf(
                "allocation after warm-up: heap %d bytes/step, RSS growth %.1f MB over %d steps%n",
                heapPerStep, rssGrowth / 1e6, steps - warm);
        System.out.printf(
                "achieved %.1f GFLOP/s = %.1f%% of the two cores' AVX-512 FMA peak (%.0f GFLOP/s)%n",
                gflops, 100 * gflops / peak, peak);
        // CPU time of the whole process over the same span: less sensitive than wall time to other
        // processes on a shared machine (it still includes the JIT and GC threads).
        System.out.printf("cpu: cpu_s=%.2f%n", cpu);
        System.out.printf(
                "steps=%d wall_s=%.2f ms_per_step=%.2f tokens_per_s=%.0f val_loss=%.4f peak_rss_mb=%.0f gflops=%.1f%n",
                steps, wall, msPerStep, tokensPerS, valLoss, GptRuntime.peakRssBytes() / 1e6, gflops);
    }
}
