package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.gpt.TokenChoice;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextAssemblerTest {
    // No merges: every byte is its own token, so "é" takes two tokens.
    private static final Tokenizer BYTES =
            BpeTrainer.train(List.of("ab"), BpeTrainer.Config.of(256 + 5, NumberPolicy.GPT2));

    private static TokenChoice choice(int id) {
        return new TokenChoice(
                id, 0.5f, (float) Math.log(0.5), List.of(new TokenChoice.Alternative(id, 0.5f, (float) Math.log(0.5))));
    }

    private static List<String> feed(TextAssembler a, String text, List<List<TokenLogprob>> logprobs) {
        List<String> chunks = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            boolean more = a.push(choice(b & 0xFF));
            if (a.hasOutput()) {
                chunks.add(a.takeText());
                logprobs.add(a.takeLogprobs());
            }
            if (!more) break;
        }
        return chunks;
    }

    @Test
    void neverSplitsACharacterAcrossChunks() {
        TextAssembler a = new TextAssembler(BYTES, List.of(), true);
        List<List<TokenLogprob>> lps = new ArrayList<>();
        List<String> chunks = feed(a, "né!", lps);
        assertThat(chunks).containsExactly("n", "é", "!");
        // Both byte tokens of "é" are reported with the chunk that shows the character.
        assertThat(lps.get(1)).hasSize(2);
        assertThat(lps.get(1).get(0).bytes()).hasSize(1);
        assertThat(lps.get(1).get(0).top()).hasSize(1);
    }

    @Test
    void stopSequenceDropsItsOwnTokens() {
        TextAssembler a = new TextAssembler(BYTES, List.of("##"), true);
        List<List<TokenLogprob>> lps = new ArrayList<>();
        List<String> chunks = feed(a, "ab#c##d", lps);
        a.finish();
        String text = String.join("", chunks) + a.takeText();
        assertThat(text).isEqualTo("ab#c");
        assertThat(a.text()).isEqualTo("ab#c");
        int tokens = lps.stream().mapToInt(List::size).sum() + a.takeLogprobs().size();
        assertThat(tokens).as("a, b, #, c: the tokens of the visible text").isEqualTo(4);
    }

    @Test
    void finishReleasesHeldBackText() {
        TextAssembler a = new TextAssembler(BYTES, List.of("xyz"), false);
        List<String> chunks = feed(a, "axy", new ArrayList<>());
        assertThat(String.join("", chunks)).isEqualTo("a");
        a.finish();
        assertThat(a.takeText()).isEqualTo("xy");
        assertThat(a.takeLogprobs()).isEmpty();
    }
}
