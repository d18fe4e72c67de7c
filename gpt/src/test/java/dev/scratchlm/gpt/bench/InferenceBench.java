package dev.scratchlm.gpt.bench;

import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.gpt.KvCacheDecoder;
import dev.scratchlm.gpt.Sampler;

/**
 * KV-cache generation speed, for chat-service to compare against: tokens per second for one stream and
 * for 8 concurrent streams advanced together by batched decode steps, on the baby config (vocab 256 and
 * 4096) and a ~10M-parameter model with context 256. Each round prefills a 16-token prompt and samples
 * (temperature 0.8, top-k 40, with 5 alternatives, as the chat UI asks) until the context is full; the
 * time includes prefill and sampling. Weights are random: speed does not depend on them.
 *
 * <p>Peers in the same process: the same 8 streams advanced one decode call per stream (what batching
 * saves), and batched steps with every product split by columns over 2 threads (chat-service does that
 * only for models big enough to be bound by reading their weights; a small one leaves the other core to
 * the HTTP side). Args: {@code [--seconds S]} per measurement (default 3). Prints its
 * result LAST as one line.
 */
public final class InferenceBench {
    public static void main(String[] args) {
        double seconds = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) seconds = Double.parseDouble(args[++i]);
            else throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        GptRuntime.configureThreads(1);
        GptConfig[] configs = {GptConfig.baby(256), GptConfig.baby(4096), new GptConfig(256, 256, 6, 6, 384, 0f)};
        String[] keys = {"baby256", "baby4096", "m10ctx256"};
        StringBuilder last = new StringBuilder();
        for (int c = 0; c < configs.length; c++) {
            Gpt model = new Gpt(configs[c], 1, 1);
            double one = run(model, 1, 1, true, seconds), eight = run(model, 8, 1, true, seconds);
            double serial = run(model, 8, 1, false, seconds), two = run(model, 8, 2, true, seconds);
            System.out.printf(
                    "%-10s %s, %.2fM params: 1 stream %.0f tokens/s; 8 streams %.0f tokens/s total "
                            + "(%.1fx one decode call per stream: %.0f; on 2 threads: %.0f)%n",
                    keys[c], configs[c], model.parameterCount() / 1e6, one, eight, eight / serial, serial, two);
            last.append(String.format(
                    "%s_1stream_tok_s=%.0f %s_8streams_tok_s=%.0f %s_batch_speedup=%.2f %s_8streams_2threads_tok_s=%.0f ",
                    keys[c], one, keys[c], eight, keys[c], eight / serial, keys[c], two));
        }
        System.out.println(last.toString().trim());
    }

    /** Generated tokens per second over all streams; {@code batched}: one decode call per step for all. */
    private static double run(Gpt model, int streams, int threads, boolean batched, double seconds) {
        GptConfig cfg = model.config();
        KvCacheDecoder dec = new KvCacheDecoder(model, streams, threads);
        Sampler[] samplers = new Sampler[streams];
        for (int s = 0; s < streams; s++) samplers[s] = new Sampler(new Sampler.Settings(0.8f, 40, 1f, 5), s);
        int[] slots = new int[streams], toks = new int[streams], prompt = new int[16];
        for (int s = 0; s < streams; s++) slots[s] = s;
        float[][] logits = new float[streams][];
        int[][] oneSlot = new int[streams][], oneTok = new int[streams][1];
        float[][][] oneOut = new float[streams][1][];
        for (int s = 0; s < streams; s++) oneSlot[s] = new int[] {s};
        long tokens = 0, start = 0;
        // The first round warms the JIT up and is not counted.
        for (int round = 0; ; round++) {
            if (round == 1) {
                start = System.nanoTime();
                tokens = 0;
            }
            if (round > 1 && System.nanoTime() - start > seconds * 1e9) break;
            for (int s = 0; s < streams; s++) {
                dec.reset(s);
                for (int i = 0; i < prompt.length; i++) prompt[i] = (s * 31 + i * 7) % cfg.vocabSize();
                logits[s] = dec.prefill(s, prompt);
            }
            for (int pos = prompt.length; pos < cfg.blockSize(); pos++) {
                for (int s = 0; s < streams; s++)
                    toks[s] = samplers[s].sample(logits[s]).token();
                if (batched) {
                    logits = dec.decode(slots, toks, logits);
                } else {
                    for (int s = 0; s < streams; s++) {
                        oneTok[s][0] = toks[s];
                        oneOut[s][0] = logits[s];
                        logits[s] = dec.decode(oneSlot[s], oneTok[s], oneOut[s])[0];
                    }
                }
                tokens += streams;
            }
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }
}
