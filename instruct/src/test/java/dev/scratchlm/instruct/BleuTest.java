package dev.scratchlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BleuTest {
    private static final double EPS = 1e-9;

    @Test
    void tokenizesLikeMtevalV13a() {
        // Commas and periods split unless between digits; apostrophes and hyphens stay; '/' splits; a dash after
        // a digit splits; '£' (not ASCII) stays on its number; ASCII letters are lower-cased.
        assertThat(Bleu.tokenize("Alimentum, in the City Centre, isn't family-friendly."))
                .containsExactly("alimentum", ",", "in", "the", "city", "centre", ",", "isn't", "family-friendly", ".");
        assertThat(Bleu.tokenize("Prices are £20-25, rated 3/5 or 4.5."))
                .containsExactly("prices", "are", "£20", "-", "25", ",", "rated", "3", "/", "5", "or", "4.5", ".");
        assertThat(Bleu.tokenize("Café \"Rouge\" &amp; (bar)!"))
                .containsExactly("café", "\"", "rouge", "\"", "&", "(", "bar", ")", "!");
        assertThat(Bleu.tokenize("  \n ")).isEmpty();
    }

    @Test
    void identicalTextScoresOneWhateverTheCaseAndSpacing() {
        assertThat(Bleu.corpus(List.of("The Cat, sat on the mat."), List.of(List.of("the cat , sat on the MAT ."))))
                .isCloseTo(1.0, within(EPS));
    }

    @Test
    void partialMatchWithMtevalSmoothingOfTheEmptyOrder() {
        // hyp "the cat is on the mat", ref "the cat sat on the mat":
        // 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3 -> mteval's
        // smoothing 1/(2*3); lengths 6 and 6, no brevity penalty. (5/6 * 3/5 * 1/4 * 1/6)^(1/4) = (1/48)^(1/4).
        double bleu = Bleu.corpus(List.of("the cat is on the mat"), List.of(List.of("the cat sat on the mat")));
        assertThat(bleu).isCloseTo(Math.pow(1.0 / 48, 0.25), within(EPS)).isCloseTo(0.379918, within(1e-6));
    }

    @Test
    void brevityPenaltyUsesTheClosestReference() {
        // hyp 3 words, refs of 6 and 7 words: the closest is 6, BP = exp(1 - 6/3) = e^-1; every n-gram of the
        // hypothesis matches (no 4-gram exists: log 1).
        double bleu = Bleu.corpus(
                List.of("the cat sat"), List.of(List.of("the cat sat on the mat", "the cat sat on it today okay")));
        assertThat(bleu).isCloseTo(Math.exp(-1), within(EPS));
    }

    @Test
    void brevityPenaltyWithAllFourOrdersMatched() {
        // hyp 4 words, all n-grams match; refs of 8 and 9 words: BP = exp(1 - 8/4) = e^-1.
        // NLTK 3.8's corpus_bleu (same closest-length rule, no smoothing needed here) prints 0.36787944117144233.
        double bleu = Bleu.corpus(
                List.of("the cat sat on"),
                List.of(List.of("the cat sat on the mat and slept", "the cat sat on the mat and slept well")));
        assertThat(bleu).isCloseTo(0.36787944117144233, within(1e-12));
    }

    @Test
    void aTieBetweenReferenceLengthsTakesTheShorter() {
        // hyp 4 words; refs of 3 and 5 are equally close: mteval takes 3, so no penalty (5 would give exp(-0.25)).
        double bleu =
                Bleu.corpus(List.of("the cat sat down"), List.of(List.of("the cat sat down here", "the cat sat")));
        assertThat(bleu).isCloseTo(1.0, within(EPS));
        assertThat(Bleu.closestLength(5, 3, 4)).isEqualTo(3);
        assertThat(Bleu.closestLength(3, 5, 4)).isEqualTo(3);
        assertThat(Bleu.closestLength(8, 6, 7)).isEqualTo(6);
        assertThat(Bleu.closestLength(7, 6, 7)).isEqualTo(7);
    }

    @Test
    void countsAreClippedByTheMostGenerousReference() {
        // hyp "the the the the", refs "the cat" and "the the dog": 'the' clipped at 2 -> 2/4; 'the the' at 1 -> 1/3;
        // 3-grams 0/2 -> 1/(2*2); 4-grams 0/1 -> 1/(4*1). Closest length 3 < 4: no penalty. (1/96)^(1/4).
        double bleu = Bleu.corpus(List.of("the the the the"), List.of(List.of("the cat", "the the dog")));
        assertThat(bleu).isCloseTo(Math.pow(1.0 / 96, 0.25), within(EPS));
    }

    @Test
    void theCorpusScoreSumsCountsBeforeTakingTheMean() {
        // Segment 1 identical (6/6, 5/5, 4/4, 3/3), segment 2 as above (5/6, 3/5, 1/4, 0/3): summed 11/12, 8/10,
        // 5/8, 3/6, lengths 12 vs 12. NLTK 3.8's corpus_bleu on the same tokens prints 0.6918912876154527.
        double bleu = Bleu.corpus(
                List.of("the cat sat on the mat", "the cat is on the mat"),
                List.of(List.of("the cat sat on the mat"), List.of("the cat sat on the mat")));
        assertThat(bleu).isCloseTo(Math.pow(11.0 / 12 * 8 / 10 * 5 / 8 * 3 / 6, 0.25), within(EPS));
        Bleu.Stats s = Bleu.stats(
                List.of("the cat sat on the mat", "the cat is on the mat"),
                List.of(List.of("the cat sat on the mat"), List.of("the cat sat on the mat")));
        assertThat(bleu).isCloseTo(0.6918912876154527, within(1e-12));
        assertThat(s.matches()).containsExactly(11, 8, 5, 3);
        assertThat(s.totals()).containsExactly(12, 10, 8, 6);
    }

    @Test
    void emptyOutputScoresZeroAndMismatchedInputIsRefused() {
        assertThat(Bleu.corpus(List.of(""), List.of(List.of("the cat")))).isZero();
        assertThatThrownBy(() -> Bleu.corpus(List.of("a"), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bleu.corpus(List.of("a"), List.of(List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
