package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    static final Tokenizer CL100K = Corpora.openAi("cl100k_base");

    @Test
    void describesItself() {
        assertEquals(100_277, CL100K.vocabSize()); // <|endofprompt|> = 100276 is the largest id
        assertEquals(100_256, CL100K.mergeableCount());
        assertEquals("cl100k", CL100K.patternName());
        assertEquals(NumberPolicy.GROUPS_OF_3, CL100K.numberPolicy());
        assertEquals(100_257, CL100K.specialTokens().get("<|endoftext|>"));
        assertEquals(16, CL100K.id().length());
        assertEquals(CL100K.id(), Corpora.openAi("cl100k_base").id(), "the id is stable across loads");
        assertNotEquals(CL100K.id(), CL100K.withSpecialTokens(List.of("<|x|>")).id(), "specials are part of the id");
        assertNotEquals(CL100K.id(), Corpora.openAi("r50k_base").id());
    }

    @Test
    void specialTokensOnlyWhenAllowed() {
        String text = "a<|endoftext|>b";
        int eot = CL100K.specialId("<|endoftext|>");
        assertArrayEquals(
                TiktokenExactnessTest.concat(CL100K.encodeOrdinary("a"), new int[] {eot}, CL100K.encodeOrdinary("b")),
                CL100K.encode(text));
        assertFalse(java.util.Arrays.stream(CL100K.encodeOrdinary(text)).anyMatch(CL100K::isSpecial));
        assertEquals(text, CL100K.decodeToString(CL100K.encodeOrdinary(text)));
        assertEquals(text, CL100K.decodeToString(CL100K.encode(text)));
    }

    @Test
    void piecesCarryIdsTextAndByteSpans() {
        String text = "Grüße 😀 𓀀 123456<|endoftext|>";
        List<Piece> pieces = CL100K.pieces(text, true);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int offset = 0;
        StringBuilder ids = new StringBuilder();
        for (Piece p : pieces) {
            assertEquals(offset, p.start());
            byte[] span = java.util.Arrays.copyOfRange(utf8, p.start(), p.end());
            assertArrayEquals(CL100K.tokenBytes(p.id()), span);
            assertEquals(new String(span, StandardCharsets.UTF_8), p.text());
            offset = p.end();
        }
        assertEquals(utf8.length, offset);
        Piece last = pieces.get(pieces.size() - 1);
        assertTrue(last.special());
        assertEquals("<|endoftext|>", last.text());
        assertTrue(pieces.stream().anyMatch(p -> p.text().equals("123")), "digits in groups of three");
        // the hieroglyph is split over byte tokens: their text is lossy, their spans are exact
        assertTrue(pieces.stream().anyMatch(p -> p.text().contains("\uFFFD")));
    }

    @Test
    void unknownIdsAreAClearError() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CL100K.decode(new int[] {100_256}));
        assertTrue(e.getMessage().contains("unknown token id 100256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CL100K.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> CL100K.specialId("<|nope|>"));
    }

    @Test
    void streamingDecodeNeverBreaksACharacter() {
        Tokenizer r50k = Corpora.openAi("r50k_base");
        String text = "Ελληνικά, 中文, emoji 😀👍🏽 and ü — done.";
        StreamDecoder d = r50k.streamDecoder();
        StringBuilder out = new StringBuilder();
        int held = 0;
        for (int id : r50k.encode(text)) {
            String chunk = d.push(id);
            assertFalse(chunk.contains("\uFFFD"), "a chunk broke a character: " + chunk);
            if (d.pendingBytes() > 0) {
                held++;
            }
            out.append(chunk);
        }
        out.append(d.finish());
        assertEquals(text, out.toString());
        assertTrue(held > 0, "the text has characters split across tokens, so some bytes must have been held");

        StreamDecoder cut = r50k.streamDecoder();
        int[] glyph = r50k.encode("𓀀");
        assertTrue(glyph.length > 1);
        assertEquals("", cut.push(glyph[0]));
        assertEquals("\uFFFD", cut.finish(), "an unfinished character at the end is shown as U+FFFD");
    }

    @Test
    void safeToShareBetweenThreads() throws Exception {
        List<String> docs = Corpora.europarl().subList(0, 400);
        List<int[]> expected = new ArrayList<>();
        for (String d : docs) {
            expected.add(CL100K.encode(d));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < docs.size(); i++) {
                        if (!java.util.Arrays.equals(expected.get(i), CL100K.encode(docs.get(i)))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badVocabulariesAreRejected() {
        List<byte[]> missingByte = new ArrayList<>();
        for (int b = 0; b < 255; b++) {
            missingByte.add(new byte[] {(byte) b});
        }
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Tokenizer.create(SplitPattern.R50K, missingByte, java.util.Map.of()))
                .getMessage()
                .contains("byte 255"));
        List<byte[]> bytes = new ArrayList<>(missingByte);
        bytes.add(new byte[] {(byte) 255});
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Tokenizer.create(SplitPattern.R50K, bytes, java.util.Map.of("<|x|>", 3)))
                .getMessage()
                .contains("belongs to a mergeable token"));
    }
}
