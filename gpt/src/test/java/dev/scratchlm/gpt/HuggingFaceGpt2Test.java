package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceGpt2Test {
    /** Not square anywhere that matters, so a missing or doubled transpose changes the logits. */
    static final GptConfig CFG = new GptConfig(40, 12, 2, 2, 16, 0f);

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Gpt model;

    @BeforeEach
    void export() throws IOException {
        model = randomModel(CFG, 7);
        HuggingFaceGpt2.write(CFG, model.copyWeights(), 37, 37, Map.of("checkpoint", "ckpt-test"), dir);
    }

    /** Every parameter random, biases and LayerNorms included, so each tensor's placement shows in the logits. */
    static Gpt randomModel(GptConfig cfg, long seed) {
        Gpt g = new Gpt(cfg, 1, seed);
        g.setTraining(false);
        Rng rng = new Rng(seed);
        float[] w = g.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * 0.3);
        g.loadWeights(w);
        return g;
    }

    static float[][] logits(Gpt g, int[] ids) {
        g.setTraining(false);
        g.forward(ids, null, null, 1, ids.length);
        float[][] out = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) out[t] = g.logits(0, t, null);
        return out;
    }

    @Test
    void readBackGivesBitIdenticalWeightsAndLogits() throws IOException {
        HuggingFaceGpt2.Model back = HuggingFaceGpt2.read(dir);
        assertEquals(CFG, back.config());
        assertEquals(37, back.bosTokenId());
        assertEquals(37, back.eosTokenId());
        assertArrayEquals(model.copyWeights(), back.weights());
        int[] prompt = {1, 5, 39, 0, 12, 7, 7, 30, 2, 11, 3, 38};
        float[][] want = logits(model, prompt), got = logits(back.toGpt(1), prompt);
        for (int t = 0; t < prompt.length; t++) assertArrayEquals(want[t], got[t], "position " + t);
    }

    @Test
    void namesLayoutsAndConfigAreGpt2s() throws IOException {
        Safetensors.Contents file = Safetensors.read(dir.resolve("model.safetensors"));
        assertEquals("pt", file.metadata().get("format"));
        assertEquals("ckpt-test", file.metadata().get("checkpoint"));
        Map<String, Safetensors.Tensor> t = file.tensors();
        assertEquals(2 + 2 * 12 + 2, t.size()); // wte, wpe, 12 per block, ln_f; lm_head tied, not stored
        assertArrayEquals(new int[] {40, 16}, t.get("transformer.wte.weight").shape());
        assertArrayEquals(new int[] {12, 16}, t.get("transformer.wpe.weight").shape());
        assertArrayEquals(
                new int[] {16, 48}, t.get("transformer.h.1.attn.c_attn.weight").shape()); // Conv1D [in, out]
        assertArrayEquals(
                new int[] {48}, t.get("transformer.h.1.attn.c_attn.bias").shape());
        assertArrayEquals(
                new int[] {16, 64}, t.get("transformer.h.0.mlp.c_fc.weight").shape());
        assertArrayEquals(
                new int[] {64, 16}, t.get("transformer.h.0.mlp.c_proj.weight").shape());
        assertArrayEquals(new int[] {16}, t.get("transformer.ln_f.bias").shape());
        assertFalse(t.containsKey("lm_head.weight"));
        // Conv1D element [i][o] is our Linear element [o][i].
        TensorInfo ours = model.parameterTable().stream()
                .filter(x -> x.name().equals("h.1.attn.c_attn.weight"))
                .findFirst()
                .orElseThrow();
        float[] w = model.copyWeights();
        int o = 40, i = 3;
        assertEquals(
                w[(int) ours.offset() + o * 16 + i],
                t.get("transformer.h.1.attn.c_attn.weight").data()[i * 48 + o]);

        var cfg = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("gpt2", cfg.get("model_type").asText());
        assertEquals("GPT2LMHeadModel", cfg.get("architectures").get(0).asText());
        assertEquals("gelu_new", cfg.get("activation_function").asText());
        assertEquals(1e-5, cfg.get("layer_norm_epsilon").asDouble());
        assertEquals(12, cfg.get("n_positions").asInt());
        assertEquals(12, cfg.get("n_ctx").asInt());
        assertEquals(40, cfg.get("vocab_size").asInt());
        assertEquals(2, cfg.get("n_layer").asInt());
        assertEquals(2, cfg.get("n_head").asInt());
        assertEquals(16, cfg.get("n_embd").asInt());
        assertTrue(cfg.get("tie_word_embeddings").asBoolean());
        assertEquals(37, cfg.get("eos_token_id").asInt());
        // The data starts 8-byte aligned.
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("model.safetensors")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, head.getLong(0) % 8);
    }

    @Test
    void headerThatLiesAboutSizesIsRefused() throws IOException {
        editHeader(h -> ((ObjectNode) h.get("transformer.wpe.weight"))
                .putArray("shape")
                .add(12)
                .add(15));
        assertRefused("transformer.wpe.weight whose data_offsets span 768 bytes but F32 [12, 15] needs 720");
    }

    @Test
    void tensorRunningPastTheFileIsRefused() throws IOException {
        Path f = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 4));
        assertRefused("past the file");
    }

    @Test
    void headerLengthPastTheFileIsRefused() throws IOException {
        Path f = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, b.length);
        Files.write(f, b);
        assertRefused("header but the file is");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        editHeader(h -> ((ObjectNode) h.get("transformer.h.0.ln_1.bias"))
                .set("data_offsets", h.get("transformer.h.0.ln_1.weight").get("data_offsets")));
        assertRefused("overlapping");
    }

    @Test
    void unsupportedDtypeIsRefused() throws IOException {
        editHeader(h -> ((ObjectNode) h.get("transformer.ln_f.weight")).put("dtype", "F16"));
        assertRefused("unsupported dtype 'F16'");
    }

    @Test
    void missingTensorIsRefused() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> t =
                new LinkedHashMap<>(Safetensors.read(f).tensors());
        t.remove("transformer.h.1.mlp.c_proj.bias");
        Safetensors.write(t, Map.of(), f);
        assertRefused("has no transformer.h.1.mlp.c_proj.bias");
    }

    @Test
    void configThatDoesNotMatchTheTensorsIsRefused() throws IOException {
        editConfig(c -> c.put("n_embd", 8));
        assertRefused(
                "config.json does not match the tensors: wte.weight is [40, 16] but config.json says vocab_size=40, n_embd=8");
        editConfig(c -> c.put("n_embd", 16).put("n_layer", 1));
        assertRefused("tensors config.json does not account for: [transformer.h.1.ln_1.weight");
        editConfig(c -> c.put("n_layer", 3));
        assertRefused("has no transformer.h.2.ln_1.weight");
        editConfig(c -> c.put("n_layer", 2).put("n_positions", 16));
        assertRefused("transformer.wpe.weight is [12, 16] but config.json");
        editConfig(c -> c.put("n_positions", 12).put("activation_function", "relu"));
        assertRefused("activation_function 'relu'");
        editConfig(c -> c.put("activation_function", "gelu_new").put("model_type", "llama"));
        assertRefused("model_type 'llama' is not gpt2");
    }

    @Test
    void untiedLmHeadIsRefusedAndATiedOneAccepted() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> t =
                new LinkedHashMap<>(Safetensors.read(f).tensors());
        Safetensors.Tensor wte = t.get("transformer.wte.weight");
        t.put("lm_head.weight", wte);
        Safetensors.write(t, Map.of(), f);
        assertArrayEquals(model.copyWeights(), HuggingFaceGpt2.read(dir).weights());
        float[] other = wte.data().clone();
        other[5] += 1f;
        t.put("lm_head.weight", new Safetensors.Tensor(wte.shape(), other));
        Safetensors.write(t, Map.of(), f);
        assertRefused("untied LM head");
    }

    @Test
    void namesWithoutTheTransformerPrefixAndMaskBuffersRead() throws IOException {
        // GPT2Model saves names without "transformer."; older transformers also saved the causal-mask buffer.
        Path f = dir.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        Safetensors.read(f).tensors().forEach((k, v) -> t.put(k.substring("transformer.".length()), v));
        t.put("h.0.attn.bias", new Safetensors.Tensor(new int[] {1, 1, 12, 12}, new float[144]));
        Safetensors.write(t, Map.of(), f);
        assertArrayEquals(model.copyWeights(), HuggingFaceGpt2.read(dir).weights());
    }

    @Test
    void rewardModelIsNotExported() {
        GptConfig rm = CFG.withRewardHead(true);
        assertThrows(
                IllegalArgumentException.class,
                () -> HuggingFaceGpt2.write(rm, new float[(int) new ParamLayout(rm).total], null, null, null, dir));
    }

    private void assertRefused(String reason) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> HuggingFaceGpt2.read(dir));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private void editConfig(Consumer<ObjectNode> edit) throws IOException {
        Path f = dir.resolve("config.json");
        ObjectNode c = (ObjectNode) JSON.readTree(f.toFile());
        edit.accept(c);
        JSON.writeValue(f.toFile(), c);
    }

    /** Rewrites the JSON header in place, keeping the data bytes as they are. */
    private void editHeader(Consumer<ObjectNode> edit) throws IOException {
        Path f = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        int len = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        ObjectNode h = (ObjectNode) JSON.readTree(new String(b, 8, len, StandardCharsets.UTF_8));
        edit.accept(h);
        byte[] header = JSON.writeValueAsBytes(h);
        ByteBuffer out =
                ByteBuffer.allocate(8 + header.length + b.length - 8 - len).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header).put(b, 8 + len, b.length - 8 - len);
        Files.write(f, out.array());
    }
}
