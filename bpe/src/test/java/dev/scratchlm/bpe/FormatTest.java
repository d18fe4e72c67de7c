package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatTest {
    static Tokenizer trained;
    static List<String> sample;

    @BeforeAll
    static void train() {
        List<String> docs = Corpora.europarl();
        trained = BpeTrainer.train(docs.subList(0, 1500), BpeTrainer.Config.of(3000, NumberPolicy.GROUPS_OF_3));
        sample = new ArrayList<>();
        for (int i = 1500; i < docs.size(); i += 97) { // unseen documents from all languages
            sample.add(docs.get(i));
        }
        sample.add("Numbers 1234567, émojis 😀👍🏽, tabs\t\tand\r\nnewlines  <|endoftext|> it's DON'T 'Ll");
    }

    static void assertSameEncodings(Tokenizer expected, Tokenizer actual) {
        for (String s : sample) {
            assertArrayEquals(expected.encode(s), actual.encode(s));
        }
    }

    @Test
    void ownFormatRoundTrips(@TempDir Path dir) throws Exception {
        String text = ScratchFormat.toText(trained);
        assertTrue(
                text.startsWith("scratchlm-bpe 1\npattern cl100k\nnumbers groups-of-3\nspecial 2995 <|endoftext|>\n"),
                text.substring(0, 200));
        Path file = dir.resolve("tok.bpe");
        ScratchFormat.save(trained, file);
        Tokenizer back = ScratchFormat.load(file);
        assertEquals(trained.id(), back.id());
        assertEquals(trained.specialTokens(), back.specialTokens());
        assertEquals(text, ScratchFormat.toText(back));
        assertSameEncodings(trained, back);
    }

    @Test
    void ownFormatRejectsBrokenFilesWithTheReason() {
        String good = ScratchFormat.toText(trained);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScratchFormat.fromText("hello"))
                .getMessage()
                .contains("not a ScratchLM tokenizer file"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ScratchFormat.fromText(good.replace("pattern cl100k", "pattern nope")))
                .getMessage()
                .contains("unknown split pattern"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ScratchFormat.fromText(good.replace("numbers groups-of-3", "numbers single")))
                .getMessage()
                .contains("splits numbers"));
        String half = good.substring(0, good.length() / 2);
        String truncated = half.substring(0, half.lastIndexOf('\n') + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScratchFormat.fromText(truncated))
                .getMessage()
                .contains("ends after"));
        String lines = good.replaceFirst("\nmerges (\\d+)\n", "\nmerges $1\n999999 3\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScratchFormat.fromText(lines))
                .getMessage()
                .contains("line"));
    }

    @Test
    void tiktokenExportReloadsToTheSameTokenizer() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TiktokenFormat.write(trained, out);
        Tokenizer back = TiktokenFormat.load(
                new ByteArrayInputStream(out.toByteArray()), trained.pattern(), trained.specialTokens());
        assertEquals(trained.id(), back.id());
        assertSameEncodings(trained, back);
    }

    @Test
    void tiktokenExportOfR50kIsTheOriginalFile() throws Exception {
        byte[] original;
        try (InputStream in = getClass().getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            original = in.readAllBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TiktokenFormat.write(Corpora.openAi("r50k_base"), out);
        assertEquals(
                new String(original, StandardCharsets.US_ASCII).strip(),
                out.toString(StandardCharsets.US_ASCII).strip());
    }

    @Test
    void tiktokenLoaderRejectsBadLines() {
        byte[] bad = "IQ== 0\nnot-base64!! 1\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> TiktokenFormat.load(new ByteArrayInputStream(bad), SplitPattern.R50K, Map.of()))
                .getMessage()
                .contains("line 2"));
        byte[] gap = "IQ== 0\nIg== 2\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(
                IllegalArgumentException.class,
                () -> TiktokenFormat.load(new ByteArrayInputStream(gap), SplitPattern.R50K, Map.of()));
    }

    @Test
    void huggingFaceJsonHasTheExpectedStructure() throws Exception {
        JsonNode json = new ObjectMapper().readTree(HuggingFaceFormat.toJson(trained));
        JsonNode model = json.get("model");
        assertEquals("BPE", model.get("type").asText());
        assertTrue(model.get("ignore_merges").asBoolean());
        assertEquals(trained.mergeableCount(), model.get("vocab").size());
        assertEquals(0, model.get("vocab").get("\u0100").asInt()); // byte 0 in GPT-2's byte-to-unicode mapping
        assertEquals(32, model.get("vocab").get("\u0120").asInt()); // the space, "Ġ"
        assertTrue(model.get("merges").size() >= trained.mergeableCount() - 256);
        JsonNode pre = json.get("pre_tokenizer").get("pretokenizers");
        assertEquals("Split", pre.get(0).get("type").asText());
        assertEquals(
                SplitPattern.CL100K.regex(),
                pre.get(0).get("pattern").get("Regex").asText());
        assertEquals("Isolated", pre.get(0).get("behavior").asText());
        assertEquals("ByteLevel", pre.get(1).get("type").asText());
        assertEquals("ByteLevel", json.get("decoder").get("type").asText());
        JsonNode added = json.get("added_tokens");
        assertEquals(ChatTemplate.SPECIAL_TOKENS.size(), added.size());
        for (JsonNode a : added) {
            assertEquals(
                    trained.specialId(a.get("content").asText()), a.get("id").asInt());
            assertTrue(a.get("special").asBoolean());
        }
    }

    @Test
    void huggingFaceVocabAndMergesReproduceOurEncodings() throws Exception {
        for (Tokenizer t : new Tokenizer[] {trained, Corpora.openAi("r50k_base")}) {
            MiniHfBpe hf = new MiniHfBpe(new ObjectMapper().readTree(HuggingFaceFormat.toJson(t)));
            for (String s : sample) {
                assertArrayEquals(
                        t.encodeOrdinary(s),
                        hf.encode(s),
                        "tokenizer.json disagrees on " + s.substring(0, Math.min(60, s.length())));
            }
        }
        String shakespeare = Corpora.tinyShakespeare().substring(0, 200_000);
        MiniHfBpe hf = new MiniHfBpe(new ObjectMapper().readTree(HuggingFaceFormat.toJson(trained)));
        assertArrayEquals(trained.encodeOrdinary(shakespeare), hf.encode(shakespeare));
    }

    @Test
    void huggingFaceJsonReadsBackToTheSameTokenizer() {
        for (Tokenizer t : new Tokenizer[] {trained, Corpora.openAi("r50k_base"), Corpora.openAi("cl100k_base")}) {
            Tokenizer back = HuggingFaceFormat.fromJson(HuggingFaceFormat.toJson(t));
            assertEquals(t.id(), back.id());
            assertEquals(t.specialTokens(), back.specialTokens());
            assertEquals(t.pattern(), back.pattern());
            assertSameEncodings(t, back);
        }
    }

    /** GPT-2's own file: the regex inside ByteLevel, and <|endoftext|> both in the vocabulary and an added token. */
    @Test
    void gpt2StyleTokenizerJsonReads() throws Exception {
        Tokenizer r50k = Corpora.openAi("r50k_base");
        ObjectMapper m = new ObjectMapper();
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(HuggingFaceFormat.toJson(r50k));
        json.set(
                "pre_tokenizer",
                m.readTree(
                        "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("model").get("vocab")).put("<|endoftext|>", 50256);
        Tokenizer back = HuggingFaceFormat.fromJson(m.writeValueAsString(json));
        assertEquals(r50k.id(), back.id());
        assertEquals(50257, back.vocabSize());
        assertSameEncodings(r50k, back);
    }

    @Test
    void huggingFaceJsonThatRanksCannotExpressIsRefused() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String good = HuggingFaceFormat.toJson(trained);
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(good);
        var merges = (com.fasterxml.jackson.databind.node.ArrayNode)
                json.get("model").get("merges");
        JsonNode lastMerge = merges.remove(merges.size() - 1);
        merges.insert(0, lastMerge);
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> HuggingFaceFormat.fromJson(m.writeValueAsString(json)))
                .getMessage()
                .contains("merge order differs from id order"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HuggingFaceFormat.fromJson(good.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"")))
                .getMessage()
                .contains("is not BPE"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HuggingFaceFormat.fromJson(
                                good.replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFC\"}")))
                .getMessage()
                .contains("normalizer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HuggingFaceFormat.fromJson("{\"model\": "))
                .getMessage()
                .contains("not JSON"));
    }

    /**
     * A small reading of tokenizer.json the way Hugging Face tokenizers applies it: Split regex (isolated),
     * ByteLevel byte-to-unicode mapping, BPE with ignore_merges, then the lowest-index merge first
     * (leftmost on ties).
     */
    static final class MiniHfBpe {
        final Pattern split;
        final Map<String, Integer> vocab = new HashMap<>();
        final Map<String, Integer> mergeRank = new HashMap<>();
        final char[] b2u = HuggingFaceFormat.byteToUnicode();

        MiniHfBpe(JsonNode json) {
            split = Pattern.compile(
                    json.get("pre_tokenizer")
                            .get("pretokenizers")
                            .get(0)
                            .get("pattern")
                            .get("Regex")
                            .asText(),
                    Pattern.UNICODE_CHARACTER_CLASS);
            json.get("model")
                    .get("vocab")
                    .fields()
                    .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
            int i = 0;
            for (JsonNode m : json.get("model").get("merges")) {
                mergeRank.putIfAbsent(m.asText(), i++);
            }
        }

        int[] encode(String text) {
            List<Integer> ids = new ArrayList<>();
            Matcher m = split.matcher(text);
            while (m.find()) {
                byte[] b = m.group().getBytes(StandardCharsets.UTF_8);
                StringBuilder word = new StringBuilder();
                List<String> parts = new ArrayList<>();
                for (byte x : b) {
                    word.append(b2u[x & 0xFF]);
                    parts.add(String.valueOf(b2u[x & 0xFF]));
                }
                Integer whole = vocab.get(word.toString());
                if (whole != null) {
                    ids.add(whole);
                    continue;
                }
                while (parts.size() > 1) {
                    int best = -1;
                    int bestRank = Integer.MAX_VALUE;
                    for (int i = 0; i + 1 < parts.size(); i++) {
                        Integer r = mergeRank.get(parts.get(i) + " " + parts.get(i + 1));
                        if (r != null && r < bestRank) {
                            bestRank = r;
                            best = i;
                        }
                    }
                    if (best < 0) {
                        break;
                    }
                    parts.set(best, parts.get(best) + parts.remove(best + 1));
                }
                for (String p : parts) {
                    ids.add(vocab.get(p));
                }
            }
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
