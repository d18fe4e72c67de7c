package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.HuggingFaceFormat;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.TiktokenFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.CheckpointFormatException;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.Rng;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    static Tokenizer tokenizer;
    static Checkpoint checkpoint;
    static final List<String> SAMPLE = List.of(
            "The Commission will present its proposal to Parliament in 2024, said the President.",
            "Numbers 1234567, émojis 😀, tabs\tand\r\nnewlines <|end|> it's DON'T",
            "Madam President, I would like to thank the rapporteur for her excellent report.");

    @BeforeAll
    static void trainTokenizerAndModel() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            docs.add("Madam President, the report on item " + i
                    + " was adopted by the committee, and the Commission agrees. "
                    + "We would like to thank the rapporteur for the excellent work on this proposal.");
        }
        tokenizer = BpeTrainer.train(docs, BpeTrainer.Config.of(400, NumberPolicy.GROUPS_OF_3));
        assertTrue(tokenizer.specialTokens().keySet().containsAll(ChatTemplate.SPECIAL_TOKENS));
        GptConfig cfg = new GptConfig(tokenizer.vocabSize(), 24, 2, 2, 16, 0f);
        Gpt model = new Gpt(cfg, 1, 5);
        float[] w = model.copyWeights();
        Rng rng = new Rng(9);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * 0.3);
        model.loadWeights(w);
        checkpoint = Checkpoint.weightsOnly(model, tokenizer.id(), Map.of("stage", "sft"), Map.of());
    }

    static float[][] logits(Checkpoint c, int[] ids) {
        Gpt g = c.toModel(1);
        g.setTraining(false);
        g.forward(ids, null, null, 1, ids.length);
        float[][] out = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) out[t] = g.logits(0, t, null);
        return out;
    }

    @Test
    void exportThenImportGivesIdenticalLogitsAndTokenizer(@TempDir Path dir) throws Exception {
        ModelBundle.write(checkpoint, "ckpt-1", tokenizer, null, dir);
        for (String f : ModelBundle.files(false)) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        ModelBundle.Imported back = ModelBundle.read(dir, Map.of());
        assertEquals(checkpoint.config(), back.checkpoint().config());
        assertEquals(tokenizer.id(), back.tokenizer().id());
        assertEquals(tokenizer.id(), back.checkpoint().tokenizerId());
        assertEquals("imported", back.checkpoint().metadata().get("stage"));
        assertArrayEquals(checkpoint.weights(), back.checkpoint().weights());
        int[] prompt = new ChatTemplate(tokenizer)
                .renderPrompt(List.of(new ChatMessage(ChatMessage.Role.USER, "Madam President")));
        float[][] want = logits(checkpoint, prompt), got = logits(back.checkpoint(), prompt);
        for (int t = 0; t < prompt.length; t++) assertArrayEquals(want[t], got[t], "position " + t);
    }

    @Test
    void tokenizerFilesReadBackToTheSameIds(@TempDir Path dir) throws Exception {
        ModelBundle.write(checkpoint, "ckpt-1", tokenizer, null, dir);
        Tokenizer fromJson = HuggingFaceFormat.fromJson(Files.readString(dir.resolve("tokenizer.json")));
        JsonNode config =
                new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
        Map<String, Integer> specials = new ObjectMapper()
                .convertValue(
                        config.get("special_tokens"),
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() {});
        Tokenizer fromRanks;
        try (InputStream in = Files.newInputStream(dir.resolve("tokenizer.tiktoken"))) {
            fromRanks = TiktokenFormat.load(
                    in,
                    dev.scratchlm.bpe.SplitPattern.fromId(
                            config.get("split_pattern").asText()),
                    specials);
        }
        for (String s : SAMPLE) {
            assertArrayEquals(tokenizer.encode(s), fromJson.encode(s), s);
            assertArrayEquals(tokenizer.encode(s), fromRanks.encode(s), s);
        }
        assertEquals(tokenizer.specialTokens(), fromJson.specialTokens());
        assertEquals(ModelBundle.CHAT_TEMPLATE, config.get("chat_template").asText());
        assertEquals("<|end|>", config.get("eos_token").asText());
        assertEquals(tokenizer.pattern().regex(), config.get("pat_str").asText());
        JsonNode model = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals(
                tokenizer.specialId("<|endoftext|>"), model.get("eos_token_id").asInt());
    }

    @Test
    void tokenizerOfAnotherVocabularySizeIsRefused(@TempDir Path dir) throws Exception {
        ModelBundle.write(checkpoint, "ckpt-1", tokenizer, null, dir);
        Files.writeString(
                dir.resolve("tokenizer.json"),
                HuggingFaceFormat.toJson(tokenizer.withSpecialTokens(List.of("<|extra|>"))));
        CheckpointFormatException e =
                assertThrows(CheckpointFormatException.class, () -> ModelBundle.read(dir, Map.of()));
        assertTrue(
                e.getMessage()
                        .contains("tokenizer.json has " + (tokenizer.vocabSize() + 1)
                                + " ids but config.json's vocab_size is " + tokenizer.vocabSize()),
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelBundle.write(
                        checkpoint,
                        "x",
                        tokenizer.withSpecialTokens(List.of("<|extra|>")),
                        null,
                        dir.resolve("other")));
    }

    @Test
    void directoryWithoutATokenizerIsRefused(@TempDir Path dir) throws Exception {
        ModelBundle.write(checkpoint, "ckpt-1", tokenizer, null, dir);
        Files.delete(dir.resolve("tokenizer.json"));
        assertTrue(assertThrows(CheckpointFormatException.class, () -> ModelBundle.read(dir, Map.of()))
                .getMessage()
                .contains("no tokenizer.json"));
    }
}
