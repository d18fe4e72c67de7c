package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterTableTest {

    @Test
    void gpt2SmallHasTheKnownParameterCount() {
        // GPT-2 124M: 124,439,808 parameters with wpe (nanoGPT prints 123.65M, which excludes wpe).
        GptConfig gpt2 = new GptConfig(50257, 1024, 12, 12, 768, 0f);
        long total =
                Gpt.parameterTable(gpt2).stream().mapToLong(TensorInfo::count).sum();
        assertEquals(124_439_808L, total);
    }

    @Test
    void tensorsUseNanoGptNamesShapesAndContiguousOffsets() {
        GptConfig cfg = new GptConfig(10, 8, 1, 2, 4, 0f);
        List<TensorInfo> t = Gpt.parameterTable(cfg);
        List<String> names = t.stream().map(TensorInfo::name).toList();
        assertEquals(
                List.of(
                        "wte",
                        "wpe",
                        "h.0.ln_1.weight",
                        "h.0.ln_1.bias",
                        "h.0.attn.c_attn.weight",
                        "h.0.attn.c_attn.bias",
                        "h.0.attn.c_proj.weight",
                        "h.0.attn.c_proj.bias",
                        "h.0.ln_2.weight",
                        "h.0.ln_2.bias",
                        "h.0.mlp.c_fc.weight",
                        "h.0.mlp.c_fc.bias",
                        "h.0.mlp.c_proj.weight",
                        "h.0.mlp.c_proj.bias",
                        "ln_f.weight",
                        "ln_f.bias"),
                names);
        assertEquals(List.of(12, 4), List.of(t.get(4).shape()[0], t.get(4).shape()[1]));
        assertEquals(List.of(4, 16), List.of(t.get(12).shape()[0], t.get(12).shape()[1]));
        long next = 0;
        for (TensorInfo ti : t) {
            assertEquals(next, ti.offset(), ti.name());
            next += ti.count();
        }
        Gpt m = new Gpt(cfg, 1, 0);
        assertEquals(next, m.parameterCount());
    }

    @Test
    void initFollowsGpt2() {
        GptConfig cfg = new GptConfig(512, 64, 4, 4, 128, 0f);
        Gpt m = new Gpt(cfg, 1, 1);
        float[] w = m.copyWeights();
        for (TensorInfo t : m.parameterTable()) {
            double sum = 0, sq = 0;
            for (int i = 0; i < t.count(); i++) {
                double x = w[(int) t.offset() + i];
                sum += x;
                sq += x * x;
            }
            double mean = sum / t.count(), std = Math.sqrt(sq / t.count() - mean * mean);
            if (t.name().contains("ln_") && t.name().endsWith("weight")) {
                assertEquals(1.0, mean, 0, t.name());
            } else if (t.name().endsWith("bias")) {
                assertEquals(0.0, sq, 0, t.name());
            } else if (t.name().endsWith("c_proj.weight")) {
                assertEquals(0.02 / Math.sqrt(2 * 4), std, 0.0005, t.name());
            } else {
                assertEquals(0.02, std, 0.001, t.name());
            }
        }
    }

    @Test
    void memoryEstimateCoversTheBuffersAndGrowsWithBatch() {
        GptConfig cfg = GptConfig.baby(256);
        long params =
                Gpt.parameterTable(cfg).stream().mapToLong(TensorInfo::count).sum();
        long b12 = Gpt.estimateTrainingBytes(cfg, 12), b24 = Gpt.estimateTrainingBytes(cfg, 24);
        assertTrue(b12 > 16 * params + MemoryEstimate.RUNTIME_BYTES, "params, grads, m, v at least");
        assertTrue(b24 > b12);
        assertTrue(b12 < (1L << 30), "the baby config fits well under 1 GB: " + b12);
        assertTrue(MemoryEstimate.inferenceBytes(cfg, 8) < b12);
    }
}
