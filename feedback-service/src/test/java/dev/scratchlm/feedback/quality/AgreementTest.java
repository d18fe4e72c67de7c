package dev.scratchlm.feedback.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scratchlm.feedback.quality.Agreement.Rated;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Agreement numbers against cases worked out by hand (the working is in each test's comment). */
class AgreementTest {
    private static List<List<Integer>> order(Integer[]... groups) {
        return java.util.Arrays.stream(groups).map(List::of).toList();
    }

    @Test
    void tiedCandidatesShareTheMeanOfTheirPositions() {
        assertThat(Agreement.ranks(order(new Integer[] {2}, new Integer[] {0, 1}, new Integer[] {3})))
                .isEqualTo(Map.of(2, 1.0, 0, 2.5, 1, 2.5, 3, 4.0));
    }

    @Test
    void twoRatersWhoSwapTheTopTwo() {
        // A: 0 > 1 > 2 (ranks 1, 2, 3); B: 1 > 0 > 2 (ranks 2, 1, 3).
        // Pairwise: (0,1) disagree, (0,2) agree, (1,2) agree -> 2/3.
        // Alpha, interval: units c0 {1,2}, c1 {2,1}, c2 {3,3}; n = 6 values.
        //   D_o = (1/6) * sum_u 1/(m_u-1) * sum_{i!=j} (a-b)^2 = (1/6) * (2 + 2 + 0) = 2/3.
        //   D_e over all ordered pairs of {1,1,2,2,3,3}: 1-2: 8 pairs x 1, 1-3: 8 x 4, 2-3: 8 x 1 -> 48 / (6*5) = 1.6.
        //   alpha = 1 - (2/3) / 1.6 = 0.58333.
        List<Rated> r = List.of(
                new Rated("t", "a", order(new Integer[] {0}, new Integer[] {1}, new Integer[] {2})),
                new Rated("t", "b", order(new Integer[] {1}, new Integer[] {0}, new Integer[] {2})));
        assertThat(Agreement.pairwise(r).value()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(Agreement.pairwise(r).comparisons()).isEqualTo(3);
        assertThat(Agreement.alpha(r).value()).isCloseTo(1 - (2.0 / 3) / 1.6, within(1e-12));
    }

    @Test
    void identicalRankingsAgreeFullyAndReversedOnesBelowChance() {
        List<List<Integer>> up = order(new Integer[] {0}, new Integer[] {1}, new Integer[] {2});
        List<List<Integer>> down = order(new Integer[] {2}, new Integer[] {1}, new Integer[] {0});
        List<Rated> same = List.of(
                new Rated("t", "a", up), new Rated("t", "b", up), new Rated("u", "a", down), new Rated("u", "b", down));
        assertThat(Agreement.pairwise(same).value()).isEqualTo(1.0);
        assertThat(Agreement.alpha(same).value()).isEqualTo(1.0);
        // Reversed: units c0 {1,3}, c1 {2,2}, c2 {3,1}: D_o = (1/6)(8 + 0 + 8) = 8/3; D_e = 48/30 = 1.6 -> 1 -
        // (8/3)/1.6 = -0.6667.
        List<Rated> reversed = List.of(new Rated("t", "a", up), new Rated("t", "b", down));
        assertThat(Agreement.pairwise(reversed).value()).isEqualTo(0.0);
        assertThat(Agreement.alpha(reversed).value()).isCloseTo(1 - (8.0 / 3) / 1.6, within(1e-12));
    }

    @Test
    void aTieAgainstAStrictOrderIsADisagreementOnThatPair() {
        // A: 0 = 1 > 2; B: 0 > 1 > 2. Pairs: (0,1) tie vs better: disagree; (0,2), (1,2) agree -> 2/3.
        // Alpha: ranks A 1.5, 1.5, 3; B 1, 2, 3. Units {1.5,1}, {1.5,2}, {3,3}: D_o = (1/6)(0.5 + 0.5 + 0) = 1/6.
        //   Values 1.5,1.5,3,1,2,3: sum 12, sum of squares 2.25+2.25+9+1+4+9 = 27.5; ordered-pair sum = 2*6*27.5 -
        // 2*144 = 42;
        //   D_e = 42/30 = 1.4 -> alpha = 1 - (1/6)/1.4 = 0.88095.
        List<Rated> r = List.of(
                new Rated("t", "a", order(new Integer[] {0, 1}, new Integer[] {2})),
                new Rated("t", "b", order(new Integer[] {0}, new Integer[] {1}, new Integer[] {2})));
        assertThat(Agreement.pairwise(r).value()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(Agreement.alpha(r).value()).isCloseTo(1 - (1.0 / 6) / 1.4, within(1e-12));
    }

    @Test
    void betweenTwoGroupsComparesAcrossThemOnly() {
        // Two people agree fully with each other; the judge swaps their top two on task t (1 of 3 pairs differs) and
        // agrees on u. Across groups: 2 + 2 + 3 of 3 + 3 + 3 pairs; the people's own agreement is not counted.
        List<Agreement.Rated> people = List.of(
                new Agreement.Rated("t", "ann", List.of(List.of(0), List.of(1), List.of(2))),
                new Agreement.Rated("t", "bob", List.of(List.of(0), List.of(1), List.of(2))),
                new Agreement.Rated("u", "ann", List.of(List.of(2), List.of(1), List.of(0))));
        List<Agreement.Rated> judge = List.of(
                new Agreement.Rated("t", "rule", List.of(List.of(1), List.of(0), List.of(2))),
                new Agreement.Rated("u", "rule", List.of(List.of(2), List.of(1), List.of(0))),
                new Agreement.Rated("v", "rule", List.of(List.of(0), List.of(1))));
        Agreement.Score s = Agreement.between(people, judge);
        assertThat(s.comparisons()).isEqualTo(9);
        assertThat(s.value()).isCloseTo(7.0 / 9, within(1e-12));
        assertThat(Agreement.between(people, List.of()).value()).isNaN();
    }

    @Test
    void nothingToCompareIsNotANumber() {
        List<Rated> alone = List.of(new Rated("t", "a", order(new Integer[] {0}, new Integer[] {1})));
        assertThat(Agreement.pairwise(alone).value()).isNaN();
        assertThat(Agreement.alpha(alone).value()).isNaN();
    }
}
