package dev.scratchlm.labs.arithmetic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.labs.arithmetic.AdditionProblems.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdditionTokensTest {
    private static Tokenizer tokenizer(NumberPolicy policy) {
        List<String> lines = AdditionProblems.generate(1, 6, 300, 10).train().stream()
                .map(p -> p.text(false))
                .toList();
        return BpeTrainer.train(
                lines,
                new BpeTrainer.Config(400, SplitPattern.forNumberPolicy(policy), List.of(ChatTemplate.ENDOFTEXT), 2));
    }

    @Test
    void theLossCoversTheAnswerAndTheEndTokenOnly() {
        Tokenizer tok = tokenizer(NumberPolicy.SINGLE);
        int end = tok.specialId(ChatTemplate.ENDOFTEXT);
        AdditionTokens t = new AdditionTokens(tok, true, end);
        Problem p = AdditionProblems.EXAMPLE;
        int[] ids = t.example(p);
        boolean[] mask = t.mask(p);
        int q = t.prompt(p).length;
        assertThat(tok.decodeToString(java.util.Arrays.copyOf(ids, q))).isEqualTo("94569 + 32458 =");
        assertThat(ids[ids.length - 1]).isEqualTo(end);
        for (int i = 0; i < ids.length; i++)
            assertThat(mask[i]).as("mask at %d", i).isEqualTo(i >= q);
        int[] answer = java.util.Arrays.copyOfRange(ids, q, ids.length);
        assertThat(t.decode(answer, answer.length)).isEqualTo(" 720721");
    }

    @Test
    void eachPolicyCutsTheExampleItsOwnWay() {
        AdditionTokens single = new AdditionTokens(tokenizer(NumberPolicy.SINGLE), false, 0);
        assertThat(single.pieces(AdditionProblems.EXAMPLE))
                .containsExactly(
                        "9", "4", "5", "6", "9", " +", " ", "3", "2", "4", "5", "8", " =", " ", "1", "2", "7", "0", "2",
                        "7");
        // Groups of three: no piece holds more than three digits, and the answer starts with "127".
        List<String> g3 =
                new AdditionTokens(tokenizer(NumberPolicy.GROUPS_OF_3), false, 0).pieces(AdditionProblems.EXAMPLE);
        assertThat(g3).allMatch(s -> s.strip().length() <= 3).contains("127");
        assertThat(String.join("", g3)).isEqualTo("94569 + 32458 = 127027");
        // GPT-2: digits may merge with the space before them.
        List<String> gpt2 = new AdditionTokens(tokenizer(NumberPolicy.GPT2), false, 0).pieces(AdditionProblems.EXAMPLE);
        assertThat(String.join("", gpt2)).isEqualTo("94569 + 32458 = 127027");
        assertThat(gpt2).anyMatch(s -> s.startsWith(" ") && s.length() > 1 && Character.isDigit(s.charAt(1)));
    }
}
