package dev.scratchlm.labs.arithmetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.labs.arithmetic.AdditionProblems.Problem;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AdditionProblemsTest {
    @Test
    void splitsShareNoProblemInEitherOrderAndCoverEveryDigitCount() {
        AdditionProblems.Splits s = AdditionProblems.generate(15, 6, 3000, 100);
        Set<Problem> test = s.test().stream().map(Problem::unordered).collect(Collectors.toSet());
        assertThat(test).as("test problems are distinct").hasSize(s.test().size());
        assertThat(s.train()).noneMatch(p -> test.contains(p.unordered()));

        Map<Integer, Long> train =
                s.train().stream().collect(Collectors.groupingBy(Problem::digits, Collectors.counting()));
        Map<Integer, Long> held =
                s.test().stream().collect(Collectors.groupingBy(Problem::digits, Collectors.counting()));
        for (int d = 1; d <= 6; d++) {
            assertThat(train.get(d)).as("training problems of %d digits", d).isEqualTo(3000);
            // 1 digit: 55 distinct problems, a quarter of them (13) held out; more digits: the full 100.
            assertThat(held.get(d)).as("test problems of %d digits", d).isEqualTo(d == 1 ? 13 : 100);
        }
        assertThat(s.train())
                .allMatch(p -> Long.toString(p.a()).length() == p.digits()
                        && Long.toString(p.b()).length() == p.digits());
        // Both orders of an operand pair do occur in training: the check above is about pairs, not luck.
        assertThat(s.train().stream()
                        .filter(p -> p.digits() == 1 && p.a() != p.b())
                        .map(p -> new Problem(p.b(), p.a()))
                        .anyMatch(s.train()::contains))
                .isTrue();
    }

    @Test
    void theRunningExampleIsHeldOutAndTheSeedFixesTheSplits() {
        AdditionProblems.Splits s = AdditionProblems.generate(15, 6, 500, 50);
        assertThat(s.test()).contains(AdditionProblems.EXAMPLE);
        assertThat(s.train()).doesNotContain(AdditionProblems.EXAMPLE, new Problem(32458, 94569));
        assertThat(AdditionProblems.generate(15, 6, 500, 50)).isEqualTo(s);
        assertThat(AdditionProblems.generate(16, 6, 500, 50).train()).isNotEqualTo(s.train());
        // Below 5 digits the example is not part of the data at all.
        assertThat(AdditionProblems.generate(15, 2, 500, 50).test()).doesNotContain(AdditionProblems.EXAMPLE);
    }

    @Test
    void reversedAnswersAreWrittenLeastSignificantDigitFirst() {
        Problem p = AdditionProblems.EXAMPLE;
        assertThat(p.sum()).isEqualTo(127027);
        assertThat(p.text(false)).isEqualTo("94569 + 32458 = 127027");
        assertThat(p.answer(true)).isEqualTo("720721");
        assertThat(p.text(true)).isEqualTo("94569 + 32458 = 720721");
        assertThat(new Problem(5, 5).answer(true)).isEqualTo("01");
        assertThat(new Problem(0, 0).answer(true)).isEqualTo("0");
    }

    @Test
    void operandsOfDifferentLengthsAreRefused() {
        assertThatThrownBy(() -> new Problem(5, 12))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("digits");
        assertThatThrownBy(() -> AdditionProblems.generate(1, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneDigitTrainingDrawsOnlyFromTheProblemsNotHeldOut() {
        AdditionProblems.Splits s = AdditionProblems.generate(3, 1, 2000, 100);
        Map<Problem, Long> seen = s.train().stream()
                .map(Problem::unordered)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(seen.size() + s.test().size())
                .as("every 1-digit pair is in exactly one split")
                .isEqualTo(55);
    }
}
