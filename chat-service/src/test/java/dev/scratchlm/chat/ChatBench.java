package dev.scratchlm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.KvCacheDecoder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Serving speed as a client sees it: starts chat-service (its packaged quarkus-app) on a fresh dev stack, publishes
 * a byte-level tokenizer and randomly initialised checkpoints (the baby config and a ~10M-parameter one), then
 * streams completions over HTTP: time to first token, tokens/s for one stream and in total over 8 concurrent ones
 * (all tokens received divided by the wall time of the round; the sum of each stream's own rate is printed too).
 * Optionally runs a PyTorch peer (nanoGPT-style generation without a KV cache) on the same config for a ratio.
 * Prints its result last as one line: {@code tokens_per_s_1=X tokens_per_s_8=Y ttft_ms=Z} (baby config).
 *
 * <p>Args: path of chat-service's quarkus-run.jar, the jvm.options flags for it (one string), rounds (default 5).
 * Env {@code CHAT_BENCH_HOLD=seconds} keeps the loaded service up that long before measuring, to probe it by hand.
 */
public final class ChatBench {
    record Config(String id, GptConfig gpt) {}

    record StreamResult(int tokens, double seconds, double ttftMs) {
        double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    record Result(double tps1, double tps8, double aggregate8, double ttftMs, double ttftMs8) {}

    // HTTP/1.1 as OpenAI clients speak it (the JDK client would otherwise try an h2c upgrade).
    static final int WARM_UP_SECONDS = 15;
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        String jvmFlags = args.length > 1 ? args[1] : "";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (!Files.exists(jar)) throw new IllegalStateException("no " + jar + ": build chat-service first");
        // Byte-level, no special tokens: nothing ends a stream early, every request generates its full budget.
        Tokenizer tokenizer = BpeTrainer.train(
                List.of("bench"),
                new BpeTrainer.Config(
                        256, SplitPattern.forNumberPolicy(dev.scratchlm.bpe.NumberPolicy.GPT2), List.of(), 2));
        List<Config> configs = List.of(
                new Config("bench-baby", new GptConfig(256, 64, 4, 4, 128, 0f)),
                new Config("bench-10m", new GptConfig(256, 256, 6, 6, 384, 0f)));
        Path state = Files.createTempDirectory("chat-bench");
        System.out.println("starting a dev stack");
        try (DevStack stack = DevStack.start(0, 0, null)) {
            publish(stack.bootstrapServers(), tokenizer, configs);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of("java"));
            cmd.addAll(Arrays.stream(jvmFlags.trim().split("\\s+"))
                    .filter(f -> !f.isBlank())
                    .toList());
            cmd.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(state.resolve("service.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
            env.put("POSTGRES_JDBC_URL", stack.jdbcUrl());
            env.put("POSTGRES_USER", stack.user());
            env.put("POSTGRES_PASSWORD", stack.password());
            env.put("SCRATCHLM_STATE_DIR", state.toString());
            System.out.println(
                    "starting chat-service on port " + port + " (log: " + state.resolve("service.log") + ")");
            Process service = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(service::destroy)); // never leave it running
            try {
                String base = "http://127.0.0.1:" + port;
                waitForModels(base, configs, service, state);
                if (System.getenv("CHAT_BENCH_HOLD") != null) {
                    System.out.println("HOLD " + base);
                    Thread.sleep(Long.parseLong(System.getenv("CHAT_BENCH_HOLD")) * 1000);
                }
                Result baby = null;
                for (Config c : configs) {
                    Result r = measure(base, c, rounds);
                    System.out.printf(
                            "%s (%,d parameters, context %d): 1 stream %.0f tokens/s, TTFT %.2f ms; "
                                    + "8 streams %.0f tokens/s in total (%.0f summed per stream), TTFT %.2f ms%n",
                            c.id(),
                            Gpt.parameterTable(c.gpt()).stream()
                                    .mapToLong(t -> t.count())
                                    .sum(),
                            c.gpt().blockSize(),
                            r.tps1(),
                            r.ttftMs(),
                            r.aggregate8(),
                            r.tps8(),
                            r.ttftMs8());
                    System.out.println("  " + cpuPerToken(base, c, service.pid()));
                    if (baby == null) baby = r;
                }
                // The same model and sampler without HTTP, in this process while the service idles: what serving adds.
                double[] raw = rawDecoder(configs.get(0).gpt());
                System.out.printf(
                        "bench-baby decoder alone (KvCacheDecoder + Sampler, no HTTP): 1 sequence %.0f tokens/s, "
                                + "8 sequences %.0f tokens/s; through HTTP streaming that is %.0f%% and %.0f%%%n",
                        raw[0], raw[1], 100 * baby.tps1() / raw[0], 100 * baby.tps8() / raw[1]);
                // Eight prompts arriving together: prefilled one by one, or in one pass (what the service does from
                // KvDecoder.TWO_THREADS_FROM_PARAMETERS on), with the threads the service would decode with.
                for (Config c : configs) {
                    long params = Gpt.parameterTable(c.gpt()).stream()
                            .mapToLong(t -> t.count())
                            .sum();
                    double[] p = prefillTogether(c.gpt(), params >= KvDecoder.TWO_THREADS_FROM_PARAMETERS ? 2 : 1);
                    System.out.printf(
                            Locale.ROOT,
                            "%s, 8 prompts arriving together: prefilled one by one, first tokens ready"
                                    + " after %.2f ms (median) and %.2f ms (last); in one pass, all after %.2f ms%n",
                            c.id(),
                            p[0],
                            p[1],
                            p[2]);
                }
                Double peer = pytorchPeer(
                        jar.toAbsolutePath()
                                .getParent()
                                .getParent()
                                .getParent()
                                .resolve("src/test/python/generate_peer.py"),
                        configs.get(0).gpt());
                if (peer != null) {
                    System.out.printf(
                            "PyTorch peer (no KV cache, nanoGPT-style generate, same config): %.0f tokens/s; "
                                    + "ours through HTTP streaming: %.1fx%n",
                            peer, baby.tps1() / peer);
                } else {
                    System.out.println(
                            "PyTorch peer skipped (python3 with torch not found); reference figure: 634 tokens/s");
                }
                System.out.printf(
                        "tokens_per_s_1=%.0f tokens_per_s_8=%.0f ttft_ms=%.2f%n",
                        baby.tps1(), baby.aggregate8(), baby.ttftMs());
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    private static void publish(String bootstrap, Tokenizer t, List<Config> configs) throws Exception {
        TokenizerRecord tr = TestModels.tokenizerRecord(t);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, tr.id(), Json.bytes(tr)))
                    .get();
            for (Config c : configs) {
                Gpt model = new Gpt(c.gpt(), 1, 1234); // randomly initialised: the work per token is the same
                TestModels.publishCheckpoint(
                        p, model, c.id(), c.id().equals("bench-baby") ? "pretrain" : "bench", null, tr.id(), 0);
            }
        }
    }

    private static void waitForModels(String base, List<Config> configs, Process service, Path state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive())
                throw new IllegalStateException(
                        "chat-service exited:\n" + Files.readString(state.resolve("service.log")));
            try {
                String body = CLIENT.send(
                                HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                if (configs.stream().allMatch(c -> body.contains(c.id()))) return;
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("models not loaded in 180 s");
    }

    private static Result measure(String base, Config c, int rounds) throws Exception {
        int maxTokens = c.gpt().blockSize() - 8; // prompt: <= 8 byte tokens
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // Warm-up until the JIT has compiled the decode path (thousands of steps), single and batched.
        long warm = System.nanoTime() + Duration.ofSeconds(WARM_UP_SECONDS).toNanos();
        for (int i = 0; System.nanoTime() < warm; i++) {
            stream(base, c.id(), maxTokens, i);
            List<Future<StreamResult>> fs = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                int seed = 100 * i + s;
                fs.add(pool.submit(() -> stream(base, c.id(), maxTokens, seed)));
            }
            for (Future<StreamResult> f : fs) f.get();
        }
        List<StreamResult> single = new ArrayList<>();
        for (int i = 0; i < Math.max(rounds, 3) * 2; i++) single.add(stream(base, c.id(), maxTokens, 100 + i));
        List<Double> summed = new ArrayList<>(), aggregate = new ArrayList<>();
        List<StreamResult> all8 = new ArrayList<>();
        try {
            for (int r = 0; r < rounds + 1; r++) {
                long t0 = System.nanoTime();
                List<Future<StreamResult>> fs = new ArrayList<>();
                for (int s = 0; s < 8; s++) {
                    int seed = 1000 * r + s;
                    fs.add(pool.submit(() -> stream(base, c.id(), maxTokens, seed)));
                }
                double sum = 0;
                int tokens = 0;
                List<StreamResult> round = new ArrayList<>();
                for (Future<StreamResult> f : fs) round.add(f.get());
                double wall = (System.nanoTime() - t0) / 1e9;
                for (StreamResult s : round) {
                    sum += s.tokensPerSecond();
                    tokens += s.tokens();
                }
                if (r == 0) continue; // warm-up round
                summed.add(sum);
                aggregate.add(tokens / wall);
                all8.addAll(round);
            }
        } finally {
            pool.shutdown();
        }
        return new Result(
                median(single.stream().map(StreamResult::tokensPerSecond).toList()),
                median(summed),
                median(aggregate),
                median(single.stream().map(StreamResult::ttftMs).toList()),
                median(all8.stream().map(StreamResult::ttftMs).toList()));
    }

    /**
     * Where the CPU goes while 8 streams run back to back for a few seconds: CPU microseconds per generated token
     * in the service (its decode threads, its event loops, the rest) and in this process (the HTTP client and
     * everything else), from the kernel's per-thread counters. Explains the 8-stream figure; does not change it.
     */
    static String cpuPerToken(String base, Config c, long servicePid) throws Exception {
        int maxTokens = c.gpt().blockSize() - 8;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Map<String, Long> s0 = threadCpu(servicePid),
                    b0 = threadCpu(ProcessHandle.current().pid());
            long tokens = 0, t0 = System.nanoTime();
            for (int r = 0; System.nanoTime() - t0 < 3_000_000_000L; r++) {
                List<Future<StreamResult>> fs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int seed = 50_000 + 8 * r + i;
                    fs.add(pool.submit(() -> stream(base, c.id(), maxTokens, seed)));
                }
                for (Future<StreamResult> f : fs) tokens += f.get().tokens();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> s1 = threadCpu(servicePid),
                    b1 = threadCpu(ProcessHandle.current().pid());
            StringBuilder sb = new StringBuilder(String.format(
                    "CPU per token over %.1f s of 8 streams (%.0f tokens/s): service", wall, tokens / wall));
            long total = 0;
            for (String g : List.of("decode", "event loops", "other")) {
                long d = s1.getOrDefault(g, 0L) - s0.getOrDefault(g, 0L);
                total += d;
                sb.append(String.format(" %s %.1f us,", g, d * 1e6 / TICKS_PER_S / tokens));
            }
            sb.append(String.format(
                    " total %.1f us; this process: HTTP client %.1f us, other %.1f us",
                    total * 1e6 / TICKS_PER_S / tokens,
                    (b1.getOrDefault("client", 0L) - b0.getOrDefault("client", 0L)) * 1e6 / TICKS_PER_S / tokens,
                    (b1.getOrDefault("other", 0L) - b0.getOrDefault("other", 0L)) * 1e6 / TICKS_PER_S / tokens));
            return sb.toString();
        } finally {
            pool.shutdown();
        }
    }

    /** Linux clock ticks (USER_HZ) per second, the unit of /proc/PID/task/TID/stat times. */
    private static final double TICKS_PER_S = 100;

    /** user + system clock ticks of a process's threads, grouped by what they do (empty where /proc is missing). */
    private static Map<String, Long> threadCpu(long pid) {
        Map<String, Long> out = new java.util.HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var dirs = Files.list(tasks)) {
            for (Path t : dirs.toList()) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (java.io.IOException e) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                String[] f = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                String group = name.startsWith("decode-") || name.startsWith("gpt-worker")
                        ? "decode"
                        : name.startsWith("vert.x-eventloo")
                                ? "event loops"
                                : name.startsWith("HttpClient") || name.startsWith("pool-") ? "client" : "other";
                out.merge(group, ticks, Long::sum);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** One streamed completion: time to the first content chunk, and generated tokens over the whole wall time. */
    static StreamResult stream(String base, String model, int maxTokens, int seed) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"prompt\":\"To be, \",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0.8,\"seed\":" + seed
                + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200)
            throw new IllegalStateException(
                    "HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes()));
        long first = -1;
        int tokens = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: ")) continue;
                if (first < 0 && line.contains("\"text\":\"") && !line.contains("\"text\":\"\""))
                    first = System.nanoTime();
                if (line.contains("\"usage\"")) {
                    JsonNode u = Json.MAPPER.readTree(line.substring(6));
                    tokens = u.at("/usage/completion_tokens").asInt();
                }
            }
        }
        long t1 = System.nanoTime();
        if (tokens < 0) throw new IllegalStateException("no usage chunk");
        return new StreamResult(tokens, (t1 - t0) / 1e9, ((first < 0 ? t1 : first) - t0) / 1e6);
    }

    /** Tokens/s of the gpt module's decoder driven directly: one sequence, then eight in batched steps. */
    static double[] rawDecoder(GptConfig cfg) {
        dev.scratchlm.gpt.GptRuntime.configureThreads(1);
        KvCacheDecoder d = new KvCacheDecoder(new Gpt(cfg, 1, 1234), 8);
        double[] out = new double[2];
        int[] prompt = "To be, ".chars().toArray();
        int steps = cfg.blockSize() - prompt.length;
        for (int n : new int[] {1, 8}) {
            int[] slots = new int[n], tokens = new int[n];
            float[][] logits = new float[n][cfg.vocabSize()];
            dev.scratchlm.gpt.Sampler[] samplers = new dev.scratchlm.gpt.Sampler[n];
            List<Double> rates = new ArrayList<>();
            long warm =
                    System.nanoTime() + Duration.ofSeconds(WARM_UP_SECONDS / 2).toNanos();
            for (int rep = 0; rates.size() < 30; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    slots[i] = i;
                    samplers[i] = new dev.scratchlm.gpt.Sampler(
                            new dev.scratchlm.gpt.Sampler.Settings(0.8f, 0, 1f, 0), rep * 10 + i);
                    d.reset(i);
                    tokens[i] = samplers[i].sample(d.prefill(i, prompt)).token();
                }
                for (int s = 1; s < steps; s++) {
                    d.decode(slots, tokens, logits);
                    for (int i = 0; i < n; i++)
                        tokens[i] = samplers[i].sample(logits[i]).token();
                }
                if (System.nanoTime() >= warm) rates.add((double) n * steps / ((System.nanoTime() - t0) / 1e9));
            }
            out[n == 1 ? 0 : 1] = median(rates);
        }
        return out;
    }

    /**
     * Eight 7-token prompts at once: {median, last} milliseconds until each one's first-token logits are ready when
     * prefilled one after another, and the milliseconds of one batched pass for all of them (medians over repeats).
     */
    static double[] prefillTogether(GptConfig cfg, int threads) {
        KvCacheDecoder d = new KvCacheDecoder(new Gpt(cfg, 1, 1234), 8, threads);
        int[] prompt = "To be, ".chars().toArray();
        int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
        int[][] prompts = new int[8][];
        java.util.Arrays.fill(prompts, prompt);
        float[][] out = null;
        List<Double> median = new ArrayList<>(), last = new ArrayList<>(), together = new ArrayList<>();
        long warm = System.nanoTime() + Duration.ofSeconds(WARM_UP_SECONDS / 3).toNanos();
        for (int rep = 0; together.size() < 30; rep++) {
            double[] ready = new double[8];
            for (int s : slots) d.reset(s);
            long t0 = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                d.prefill(i, prompt);
                ready[i] = (System.nanoTime() - t0) / 1e6;
            }
            for (int s : slots) d.reset(s);
            long t1 = System.nanoTime();
            out = d.prefill(slots, prompts, out);
            double all = (System.nanoTime() - t1) / 1e6;
            if (System.nanoTime() < warm) continue;
            median.add((ready[3] + ready[4]) / 2);
            last.add(ready[7]);
            together.add(all);
        }
        return new double[] {median(median), median(last), median(together)};
    }

    /** nanoGPT-style generation in PyTorch, when python3 has torch: tokens/s of one stream. */
    private static Double pytorchPeer(Path script, GptConfig g) {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                Process check = new ProcessBuilder(python, "-c", "import torch")
                        .redirectErrorStream(true)
                        .start();
                check.getInputStream().readAllBytes();
                if (check.waitFor() != 0) continue;
                System.out.println("running the PyTorch peer with " + python);
                // Its best thread settings as measured on this kind of machine: one OpenMP thread; OpenBLAS with one or
                // two.
                Double best = null;
                for (String blas : List.of("1", "2")) {
                    ProcessBuilder pb = new ProcessBuilder(
                                    python,
                                    script.toString(),
                                    "--vocab",
                                    "" + g.vocabSize(),
                                    "--block",
                                    "" + g.blockSize(),
                                    "--layers",
                                    "" + g.nLayer(),
                                    "--heads",
                                    "" + g.nHead(),
                                    "--width",
                                    "" + g.nEmbd())
                            .redirectError(ProcessBuilder.Redirect.INHERIT);
                    pb.environment().put("OMP_NUM_THREADS", "1");
                    pb.environment().put("OPENBLAS_NUM_THREADS", blas);
                    Process p = pb.start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) continue;
                    System.out.print(
                            "  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=" + blas + ": " + out.replace("\n", "; ") + "\n");
                    for (String line : out.split("\n")) {
                        if (line.startsWith("tokens_per_s=")) {
                            double v = Double.parseDouble(
                                    line.substring("tokens_per_s=".length()).trim());
                            if (best == null || v > best) best = v;
                        }
                    }
                }
                if (best != null) return best;
            } catch (Exception e) {
                // try the next interpreter
            }
        }
        return null;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a[a.length / 2];
    }
}
