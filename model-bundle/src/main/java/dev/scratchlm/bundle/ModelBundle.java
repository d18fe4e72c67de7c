package dev.scratchlm.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.HuggingFaceFormat;
import dev.scratchlm.bpe.TiktokenFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.CheckpointFormatException;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.HuggingFaceGpt2;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as a directory other tools load: {@code model.safetensors} + {@code config.json} (Hugging Face GPT-2,
 * see {@link HuggingFaceGpt2}), {@code tokenizer.json}, {@code tokenizer.tiktoken} (tiktoken's rank file; the
 * split pattern and special tokens are in tokenizer_config.json), and {@code tokenizer_config.json} with the
 * chat template as the Jinja {@code chat_template} Hugging Face tools apply; with a card, also
 * {@code model-card.json} and {@code MODEL_CARD.md} (see {@link ModelCard}).
 */
public final class ModelBundle {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TIKTOKEN = "tokenizer.tiktoken";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /**
     * {@link ChatTemplate}'s format in Jinja: {@code <|endoftext|>}, then per message its role marker, content and
     * {@code <|end|>}, then {@code <|assistant|>} to ask for a reply. (Hugging Face tokenizes the rendered text with
     * special tokens recognised everywhere; ours encodes message contents with them disallowed.)
     */
    public static final String CHAT_TEMPLATE = "{{ '" + ChatTemplate.ENDOFTEXT + "' }}{% for message in messages %}"
            + "{{ '<|' + message['role'] + '|>' + message['content'] + '" + ChatTemplate.END + "' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '" + ChatTemplate.ASSISTANT + "' }}{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A directory read back: the model as a weights-only checkpoint and its tokenizer. */
    public record Imported(Checkpoint checkpoint, Tokenizer tokenizer) {}

    private ModelBundle() {}

    /** Writes the bundle of a language-model checkpoint and its tokenizer into {@code dir}; {@code card} may be null. */
    public static void write(
            Checkpoint checkpoint, String checkpointId, Tokenizer tokenizer, Map<String, Object> card, Path dir)
            throws IOException {
        GptConfig cfg = checkpoint.config();
        if (tokenizer.vocabSize() != cfg.vocabSize()) {
            throw new IllegalArgumentException("tokenizer " + tokenizer.id() + " has " + tokenizer.vocabSize()
                    + " ids but the model " + cfg.vocabSize());
        }
        Integer eot = tokenizer.specialTokens().get(ChatTemplate.ENDOFTEXT);
        Map<String, String> meta = new LinkedHashMap<>();
        if (checkpointId != null) meta.put("scratchlm.checkpoint", checkpointId);
        if (checkpoint.tokenizerId() != null) meta.put("scratchlm.tokenizer", checkpoint.tokenizerId());
        HuggingFaceGpt2.write(cfg, checkpoint.weights(), eot, eot, meta, dir);
        Files.writeString(dir.resolve(TOKENIZER_JSON), HuggingFaceFormat.toJson(tokenizer), StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dir.resolve(TIKTOKEN))) {
            TiktokenFormat.write(tokenizer, out);
        }
        Files.write(dir.resolve(TOKENIZER_CONFIG), JSON.writeValueAsBytes(tokenizerConfig(tokenizer, cfg)));
        if (card != null) {
            Files.write(dir.resolve(ModelCard.JSON_FILE), JSON.writeValueAsBytes(card));
            Files.writeString(dir.resolve(ModelCard.MARKDOWN_FILE), ModelCard.markdown(card), StandardCharsets.UTF_8);
        }
    }

    static ObjectNode tokenizerConfig(Tokenizer tokenizer, GptConfig cfg) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tokenizer_class", "PreTrainedTokenizerFast");
        n.put("model_max_length", cfg.blockSize());
        n.put("add_prefix_space", false);
        boolean chat = tokenizer.specialTokens().keySet().containsAll(ChatTemplate.SPECIAL_TOKENS);
        if (tokenizer.specialTokens().containsKey(ChatTemplate.ENDOFTEXT)) {
            n.put("bos_token", ChatTemplate.ENDOFTEXT);
            n.put("eos_token", chat ? ChatTemplate.END : ChatTemplate.ENDOFTEXT);
        }
        var specials = n.putArray("additional_special_tokens");
        for (String s : tokenizer.specialTokens().keySet()) specials.add(s);
        if (chat) n.put("chat_template", CHAT_TEMPLATE);
        // What the tiktoken rank file leaves out: tiktoken.Encoding(pat_str=..., special_tokens=...).
        n.put("split_pattern", tokenizer.patternName());
        n.put("pat_str", tokenizer.pattern().regex());
        n.set("special_tokens", JSON.valueToTree(tokenizer.specialTokens()));
        return n;
    }

    /**
     * Reads a GPT-2-layout directory (ours or any GPT-2-family model with a byte-level BPE tokenizer.json).
     * Refuses, with the reason, weights or config that do not read (see {@link HuggingFaceGpt2#read}) and a
     * tokenizer whose vocabulary size differs from the model's.
     */
    public static Imported read(Path dir, Map<String, Object> lineage) throws IOException {
        HuggingFaceGpt2.Model model = HuggingFaceGpt2.read(dir);
        Path tj = dir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(tj))
            throw new CheckpointFormatException("no " + TOKENIZER_JSON + " in the model directory");
        Tokenizer tokenizer;
        try {
            tokenizer = HuggingFaceFormat.fromJson(Files.readString(tj, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(e.getMessage(), e);
        }
        if (tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new CheckpointFormatException(
                    "tokenizer.json has " + tokenizer.vocabSize() + " ids but config.json's vocab_size is "
                            + model.config().vocabSize() + ": the tokenizer is not the model's");
        }
        Map<String, Object> meta = new LinkedHashMap<>(lineage == null ? Map.of() : lineage);
        // A model that left with its card comes back knowing what it knew: its knowledge cutoff and data counts.
        Path cardFile = dir.resolve(ModelCard.JSON_FILE);
        if (Files.isRegularFile(cardFile)) {
            try {
                var data = JSON.readTree(cardFile.toFile()).path("data");
                for (String k : List.of("knowledgeCutoff", "documents", "tokens")) {
                    if (data.hasNonNull(k))
                        meta.put(
                                k,
                                data.get(k).isNumber()
                                        ? data.get(k).numberValue()
                                        : data.get(k).asText());
                }
            } catch (IOException e) {
                throw new CheckpointFormatException(ModelCard.JSON_FILE + " is not JSON: " + e.getMessage(), e);
            }
        }
        meta.put("stage", "imported");
        Checkpoint c = new Checkpoint(
                model.config(), null, 0, 0, 0, tokenizer.id(), meta, Map.of(), model.weights(), null, null);
        return new Imported(c, tokenizer);
    }

    /** The files a bundle directory holds (written with a card or without), in the order a listing shows them. */
    public static List<String> files(boolean withCard) {
        List<String> model = List.of(
                HuggingFaceGpt2.WEIGHTS_FILE, HuggingFaceGpt2.CONFIG_FILE, TOKENIZER_JSON, TIKTOKEN, TOKENIZER_CONFIG);
        if (!withCard) return model;
        List<String> all = new java.util.ArrayList<>(List.of(ModelCard.MARKDOWN_FILE, ModelCard.JSON_FILE));
        all.addAll(model);
        return all;
    }
}
