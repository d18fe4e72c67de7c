package dev.scratchlm.gpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A model as Hugging Face's {@code GPT2LMHeadModel} stores it: {@code model.safetensors} with GPT-2's names
 * ({@code transformer.wte.weight}, {@code transformer.h.N.attn.c_attn.weight}, ...) and {@code config.json}.
 *
 * <p>The architectures are the same (learned positions, pre-LayerNorm with eps 1e-5, GELU's tanh form, which
 * Hugging Face calls {@code gelu_new}, attention scaled by 1/sqrt(head size), LM head tied to wte), so only
 * names and layouts change: GPT-2's Conv1D stores a linear layer's weight as [in, out], ours (PyTorch Linear,
 * nanoGPT) as [out, in], so the four matrices of each block are transposed. {@code lm_head.weight} is not
 * written (it is wte; {@code tie_word_embeddings} says so); on reading it must equal wte.
 */
public final class HuggingFaceGpt2 {
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String CONFIG_FILE = "config.json";
    /** The only layer-norm epsilon our LayerNorm computes with. */
    private static final double LAYER_NORM_EPSILON = 1e-5; // LayerNorm.EPS

    private static final Set<String> CONV1D =
            Set.of("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A model read back: its shape, weights in {@link Gpt#parameterTable()} order, and its bos/eos ids (or null). */
    public record Model(GptConfig config, float[] weights, Integer bosTokenId, Integer eosTokenId) {
        public Gpt toGpt(int maxBatch) {
            Gpt g = new Gpt(config, maxBatch, 0);
            g.loadWeights(weights);
            return g;
        }
    }

    private HuggingFaceGpt2() {}

    /**
     * Writes {@code model.safetensors} and {@code config.json} into {@code dir} (created if needed).
     *
     * @param bosTokenId,eosTokenId the ids config.json names (ours: {@code <|endoftext|>}), or null
     * @param metadata   strings for the safetensors header (e.g. the checkpoint id)
     */
    public static void write(
            GptConfig config,
            float[] weights,
            Integer bosTokenId,
            Integer eosTokenId,
            Map<String, String> metadata,
            Path dir)
            throws IOException {
        if (config.rewardHead())
            throw new IllegalArgumentException("a reward model is not a GPT2LMHeadModel; export its language model");
        ParamLayout layout = new ParamLayout(config);
        if (weights.length != layout.total) {
            throw new IllegalArgumentException(
                    "weights have " + weights.length + " floats, the config needs " + layout.total);
        }
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (TensorInfo t : layout.tensors) {
            float[] v = Arrays.copyOfRange(weights, (int) t.offset(), (int) (t.offset() + t.count()));
            if (isConv1D(t.name())) {
                out.put(
                        hfName(t.name()),
                        new Safetensors.Tensor(
                                new int[] {t.shape()[1], t.shape()[0]}, transpose(v, t.shape()[0], t.shape()[1])));
            } else {
                out.put(hfName(t.name()), new Safetensors.Tensor(t.shape(), v));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt"); // what Hugging Face's loaders expect to find
        if (metadata != null) meta.putAll(metadata);
        Files.createDirectories(dir);
        Safetensors.write(out, meta, dir.resolve(WEIGHTS_FILE));
        Files.write(dir.resolve(CONFIG_FILE), JSON.writeValueAsBytes(configJson(config, bosTokenId, eosTokenId)));
    }

    /** GPT2LMHeadModel's config for this shape. */
    public static ObjectNode configJson(GptConfig c, Integer bosTokenId, Integer eosTokenId) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("model_type", "gpt2");
        n.put("vocab_size", c.vocabSize());
        n.put("n_positions", c.blockSize());
        n.put("n_ctx", c.blockSize());
        n.put("n_embd", c.nEmbd());
        n.put("n_layer", c.nLayer());
        n.put("n_head", c.nHead());
        n.putNull("n_inner"); // 4 * n_embd
        n.put("activation_function", "gelu_new");
        n.put("layer_norm_epsilon", LAYER_NORM_EPSILON);
        n.put("resid_pdrop", c.dropout());
        n.put("embd_pdrop", c.dropout());
        n.put("attn_pdrop", c.dropout());
        n.put("initializer_range", 0.02);
        n.put("scale_attn_weights", true);
        n.put("scale_attn_by_inverse_layer_idx", false);
        n.put("reorder_and_upcast_attn", false);
        n.put("tie_word_embeddings", true);
        if (bosTokenId != null) n.put("bos_token_id", bosTokenId);
        if (eosTokenId != null) n.put("eos_token_id", eosTokenId);
        n.put("torch_dtype", "float32");
        return n;
    }

    /**
     * Reads {@code dir}'s config.json and model.safetensors (names with or without the {@code transformer.}
     * prefix, as GPT2LMHeadModel and GPT2Model save them). Throws {@link CheckpointFormatException} with the
     * reason when the config describes a model we do not compute, or does not match the tensors, or a tensor
     * is missing, extra or of the wrong shape; nothing is returned half.
     */
    public static Model read(Path dir) throws IOException {
        JsonNode cfg = readConfig(dir);
        GptConfig config = toConfig(cfg);
        Safetensors.Contents file;
        try {
            file = Safetensors.read(dir.resolve(WEIGHTS_FILE));
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException("no " + WEIGHTS_FILE + " in the model directory");
        }
        Map<String, Safetensors.Tensor> tensors = file.tensors();
        String prefix = tensors.containsKey("transformer.wte.weight") ? "transformer." : "";
        if (!tensors.containsKey(prefix + "wte.weight"))
            throw new CheckpointFormatException("model.safetensors has no wte.weight: not a GPT-2 model");
        int[] wteShape = tensors.get(prefix + "wte.weight").shape();
        if (wteShape.length != 2 || wteShape[0] != config.vocabSize() || wteShape[1] != config.nEmbd()) {
            throw mismatch("wte.weight is " + Arrays.toString(wteShape) + " but config.json says vocab_size="
                    + config.vocabSize() + ", n_embd=" + config.nEmbd());
        }
        ParamLayout layout = new ParamLayout(config);
        float[] weights = new float[layout.total];
        Set<String> unused = new LinkedHashSet<>(tensors.keySet());
        for (TensorInfo t : layout.tensors) {
            String name = prefix + hfName(t.name()).substring("transformer.".length());
            Safetensors.Tensor s = tensors.get(name);
            if (s == null)
                throw mismatch(
                        "model.safetensors has no " + name + " (config.json says n_layer=" + config.nLayer() + ")");
            unused.remove(name);
            int[] want = isConv1D(t.name()) ? new int[] {t.shape()[1], t.shape()[0]} : t.shape();
            if (!Arrays.equals(want, s.shape())) {
                throw mismatch(name + " is " + Arrays.toString(s.shape()) + " but config.json (n_embd=" + config.nEmbd()
                        + ", n_positions=" + config.blockSize() + ", vocab_size=" + config.vocabSize() + ") needs "
                        + Arrays.toString(want));
            }
            float[] v = isConv1D(t.name()) ? transpose(s.data(), want[0], want[1]) : s.data();
            System.arraycopy(v, 0, weights, (int) t.offset(), v.length);
        }
        Safetensors.Tensor head = tensors.get("lm_head.weight");
        if (head != null) {
            unused.remove("lm_head.weight");
            if (!Arrays.equals(head.data(), tensors.get(prefix + "wte.weight").data())) {
                throw new CheckpointFormatException(
                        "lm_head.weight differs from wte.weight: an untied LM head is not supported");
            }
        }
        // GPT-2's causal-mask buffers, saved by older versions of transformers: constants, not weights.
        unused.removeIf(n -> n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias"));
        if (!unused.isEmpty()) {
            throw mismatch("model.safetensors has tensors config.json does not account for: "
                    + unused.stream().limit(5).toList()
                    + (unused.size() > 5 ? " and " + (unused.size() - 5) + " more" : "") + " (config.json says n_layer="
                    + config.nLayer() + ")");
        }
        return new Model(config, weights, optionalInt(cfg, "bos_token_id"), optionalInt(cfg, "eos_token_id"));
    }

    private static JsonNode readConfig(Path dir) throws IOException {
        Path f = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(f))
            throw new CheckpointFormatException("no " + CONFIG_FILE + " in the model directory");
        try {
            JsonNode n = JSON.readTree(f.toFile());
            if (n == null || !n.isObject()) throw new CheckpointFormatException("config.json is not a JSON object");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointFormatException("config.json is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The config's shape, refusing any setting our model does not compute the same way. */
    static GptConfig toConfig(JsonNode c) throws CheckpointFormatException {
        String type = c.path("model_type").asText("");
        if (!type.equals("gpt2"))
            throw new CheckpointFormatException("config.json: model_type '" + type + "' is not gpt2");
        String act = c.path("activation_function").asText("gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new CheckpointFormatException(
                    "config.json: activation_function '" + act + "' is not GELU's tanh form (gelu_new)");
        }
        double eps = c.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - LAYER_NORM_EPSILON) > 1e-9) {
            throw new CheckpointFormatException("config.json: layer_norm_epsilon " + eps + " (only 1e-5 is computed)");
        }
        if (!c.path("tie_word_embeddings").asBoolean(true))
            throw new CheckpointFormatException("config.json: untied word embeddings are not supported");
        if (c.path("scale_attn_by_inverse_layer_idx").asBoolean(false)
                || !c.path("scale_attn_weights").asBoolean(true)) {
            throw new CheckpointFormatException("config.json: attention must be scaled by 1/sqrt(head size) only");
        }
        int vocab = requiredInt(c, "vocab_size"),
                layers = requiredInt(c, "n_layer"),
                heads = requiredInt(c, "n_head"),
                embd = requiredInt(c, "n_embd"),
                positions = requiredInt(c, "n_positions");
        JsonNode inner = c.path("n_inner");
        if (!inner.isMissingNode() && !inner.isNull() && inner.asInt() != 4 * embd) {
            throw new CheckpointFormatException(
                    "config.json: n_inner " + inner.asInt() + " (only 4 * n_embd = " + 4 * embd + ")");
        }
        float dropout = (float) c.path("resid_pdrop").asDouble(0);
        try {
            return new GptConfig(vocab, positions, layers, heads, embd, dropout >= 0 && dropout < 1 ? dropout : 0f);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException("config.json: " + e.getMessage());
        }
    }

    private static int requiredInt(JsonNode c, String field) throws CheckpointFormatException {
        JsonNode n = c.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber())
            throw new CheckpointFormatException("config.json: " + field + " missing or not an integer");
        return n.asInt();
    }

    private static Integer optionalInt(JsonNode c, String field) {
        JsonNode n = c.get(field);
        return n != null && n.isIntegralNumber() ? n.asInt() : null;
    }

    private static CheckpointFormatException mismatch(String why) {
        return new CheckpointFormatException("config.json does not match the tensors: " + why);
    }

    /** Our parameter name (nanoGPT's, without the prefix) as Hugging Face's GPT2LMHeadModel names it. */
    static String hfName(String ours) {
        return "transformer." + ours + (ours.equals("wte") || ours.equals("wpe") ? ".weight" : "");
    }

    private static boolean isConv1D(String ours) {
        int dot = ours.indexOf('.', ours.indexOf('.') + 1); // after "h.N."
        return ours.startsWith("h.") && CONV1D.contains(ours.substring(dot + 1));
    }

    /** [rows, cols] row-major into [cols, rows]. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }
}
