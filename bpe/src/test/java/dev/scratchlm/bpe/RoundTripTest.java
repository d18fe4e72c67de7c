package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** decode(encode(x)) == x, for text and for any bytes at all. */
class RoundTripTest {
    static Tokenizer trained;
    static Tokenizer r50k;

    @BeforeAll
    static void tokenizers() {
        trained = BpeTrainer.train(
                Corpora.europarl().subList(0, 1500), BpeTrainer.Config.of(1200, NumberPolicy.GROUPS_OF_3));
        r50k = Corpora.openAi("r50k_base");
    }

    @Test
    void randomBytesIncludingInvalidUtf8() {
        Random rnd = new Random(1);
        for (Tokenizer t : new Tokenizer[] {trained, r50k}) {
            for (int i = 0; i < 20_000; i++) {
                byte[] b = RandomText.bytes(rnd, 50);
                int[] ids = t.encodeBytes(b);
                assertArrayEquals(b, t.decode(ids));
            }
        }
    }

    @Test
    void randomStringsIncludingLoneSurrogates() {
        Random rnd = new Random(2);
        for (Tokenizer t : new Tokenizer[] {trained, r50k}) {
            for (int i = 0; i < 20_000; i++) {
                String s = RandomText.string(rnd, 50, true);
                // lone surrogates become '?', exactly as String.getBytes does
                assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), t.decode(t.encodeOrdinary(s)));
                assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), t.decode(t.encode(s)));
            }
        }
    }

    @Test
    void digitsAndWhitespaceRuns() {
        Random rnd = new Random(3);
        String alphabet = "0123456789 \t\n\r\u00a0\u3000";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(300);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertEquals(s, trained.decodeToString(trained.encodeOrdinary(s)));
            assertEquals(s, r50k.decodeToString(r50k.encodeOrdinary(s)));
        }
    }

    @Test
    void bytesOfValidUtf8EncodeLikeTheText() {
        Random rnd = new Random(4);
        for (int i = 0; i < 5_000; i++) {
            String s = RandomText.string(rnd, 50, false);
            assertArrayEquals(trained.encodeOrdinary(s), trained.encodeBytes(s.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void europarlRoundTrips() {
        for (String doc : Corpora.europarl().subList(0, 3000)) {
            assertEquals(doc, trained.decodeToString(trained.encode(doc)));
        }
    }

    @Test
    void aHugePieceRoundTrips() {
        String s = " ".repeat(200_000) + "x".repeat(100_000) + "9".repeat(10_000);
        assertEquals(s, trained.decodeToString(trained.encode(s)));
        assertEquals(s, r50k.decodeToString(r50k.encode(s)));
    }
}
