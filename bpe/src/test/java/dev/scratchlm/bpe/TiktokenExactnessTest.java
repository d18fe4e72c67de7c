package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OpenAI's rank files loaded into our tokenizer must encode exactly like tiktoken (jtokkit). */
class TiktokenExactnessTest {

    static Encoding jtokkit(String name) {
        return Encodings.newLazyEncodingRegistry()
                .getEncoding(EncodingType.fromName(name).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
    void europarlTokenForToken(String name) {
        Tokenizer ours = Corpora.openAi(name);
        Encoding theirs = jtokkit(name);
        List<String> docs = Corpora.europarl();
        long tokens = 0;
        for (int d = 0; d < docs.size(); d++) {
            String doc = docs.get(d);
            int[] expected = theirs.encodeOrdinary(doc).toArray();
            int[] actual = ours.encodeOrdinary(doc);
            assertArrayEquals(expected, actual, name + " differs on Europarl document " + d);
            tokens += actual.length;
        }
        assertEquals(17_597, docs.size());
        System.out.printf("%s: %d Europarl documents, %d tokens, identical%n", name, docs.size(), tokens);
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
    void tinyShakespeareTokenForToken(String name) {
        String text = Corpora.tinyShakespeare();
        assertArrayEquals(
                jtokkit(name).encodeOrdinary(text).toArray(),
                Corpora.openAi(name).encodeOrdinary(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
    void randomStringsTokenForToken(String name) {
        Tokenizer ours = Corpora.openAi(name);
        Encoding theirs = jtokkit(name);
        Random rnd = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            String text = RandomText.string(rnd, 60, false); // jtokkit asserts valid UTF-16
            assertArrayEquals(
                    theirs.encodeOrdinary(text).toArray(),
                    ours.encodeOrdinary(text),
                    () -> name + " differs on " + PreTokenizerTest.escape(text));
        }
        // long runs take the heap-based merge path
        String spaces = " ".repeat(5_000) + "x" + "\n".repeat(300) + "7".repeat(700) + "ab".repeat(400);
        assertArrayEquals(theirs.encodeOrdinary(spaces).toArray(), ours.encodeOrdinary(spaces));
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
    void specialTokensLikeTiktoken(String name) {
        Tokenizer ours = Corpora.openAi(name);
        Encoding theirs = jtokkit(name);
        String text = "Hello<|endoftext|> world <|endoftext|><|endoftext|>!";
        // jtokkit only encodes special tokens through its own ids; check ours against them
        int eot = ours.specialId("<|endoftext|>");
        int[] ids = ours.encode(text);
        int[] expected = concat(
                theirs.encodeOrdinary("Hello").toArray(),
                new int[] {eot},
                theirs.encodeOrdinary(" world ").toArray(),
                new int[] {eot, eot},
                theirs.encodeOrdinary("!").toArray());
        assertArrayEquals(expected, ids);
        assertArrayEquals(theirs.encodeOrdinary(text).toArray(), ours.encodeOrdinary(text));
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] r = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }
}
