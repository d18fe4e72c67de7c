package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported model.safetensors + config.json, loaded by a plain PyTorch GPT-2 in nanoGPT's layout
 * (src/test/python/gpt2_reference.py: its own safetensors reader, no transformers), gives our logits.
 *
 * <p>Skipped when no python3 with torch is found; under CI ({@code CI=true}) that fails instead:
 * scripts/install-test-deps.sh installs Debian's python3-torch.
 */
class PyTorchGpt2Test {
    @TempDir
    Path dir;

    @Test
    void pytorchGpt2GivesTheSameLogits() throws Exception {
        String python = pythonWithTorch();
        GptConfig cfg = new GptConfig(96, 32, 3, 4, 64, 0f);
        Gpt model = HuggingFaceGpt2Test.randomModel(cfg, 11);
        // Final LayerNorm gain 3: logits of a few units, as a trained model's, so 1e-4 is a tight bound.
        float[] w = model.copyWeights();
        TensorInfo lnf = model.parameterTable().stream()
                .filter(t -> t.name().equals("ln_f.weight"))
                .findFirst()
                .orElseThrow();
        for (int i = 0; i < lnf.count(); i++) w[(int) lnf.offset() + i] = 3f;
        model.loadWeights(w);
        HuggingFaceGpt2.write(cfg, w, 95, 95, Map.of(), dir);
        int[] prompt = new int[20];
        for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 37 + 11) % cfg.vocabSize();
        float[][] ours = HuggingFaceGpt2Test.logits(model, prompt);
        // The serving path (what the chat runs): a prefill of the first half, then one token at a time.
        KvCacheDecoder kv = new KvCacheDecoder(model, 1);
        float[][] served = new float[prompt.length][];
        served[9] = kv.prefill(0, Arrays.copyOf(prompt, 10));
        for (int t = 10; t < prompt.length; t++) served[t] = kv.decode(0, prompt[t]);

        Path script = Path.of("src/test/python/gpt2_reference.py").toAbsolutePath();
        String ids = Arrays.stream(prompt).mapToObj(Integer::toString).collect(Collectors.joining(","));
        String out = run(List.of(python, script.toString(), dir.toString(), ids));
        JsonNode theirs = new ObjectMapper().readTree(out);
        assertEquals(prompt.length, theirs.size());
        double maxDiff = 0, maxServedDiff = 0, maxAbs = 0;
        for (int t = 0; t < prompt.length; t++) {
            assertEquals(cfg.vocabSize(), theirs.get(t).size());
            for (int v = 0; v < cfg.vocabSize(); v++) {
                double ref = theirs.get(t).get(v).asDouble();
                maxDiff = Math.max(maxDiff, Math.abs(ours[t][v] - ref));
                if (served[t] != null) maxServedDiff = Math.max(maxServedDiff, Math.abs(served[t][v] - ref));
                maxAbs = Math.max(maxAbs, Math.abs(ours[t][v]));
            }
        }
        System.out.printf(
                "PyTorch GPT-2 vs ours: max |logit difference| %.3g (KV-cache serving path %.3g) over %d positions"
                        + " (max |logit| %.3g)%n",
                maxDiff, maxServedDiff, prompt.length, maxAbs);
        assertTrue(maxAbs > 2, "logits too small to compare meaningfully: " + maxAbs);
        assertTrue(maxDiff <= 1e-4, "logits differ by up to " + maxDiff);
        assertTrue(maxServedDiff <= 1e-4, "the serving path's logits differ by up to " + maxServedDiff);
    }

    /** python3 on PATH, else Debian's /usr/bin/python3, whichever imports torch. */
    static String pythonWithTorch() {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return candidate;
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        String why = "no python3 with torch: run scripts/install-test-deps.sh (Debian's python3-torch)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(why);
        Assumptions.abort(why);
        return null;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("gpt2-reference", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
            pb.environment().put("OMP_NUM_THREADS", "1");
            Process p = pb.start();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the PyTorch reference did not finish in 120 s");
            }
            if (p.exitValue() != 0) throw new AssertionError("the PyTorch reference failed:\n" + Files.readString(log));
            return new String(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
