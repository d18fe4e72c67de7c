package dev.scratchlm.labs.arithmetic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerScoreTest {
    @Test
    void onlyTheExactDigitsCount() {
        assertThat(AnswerScore.matches("127027", " 127027")).isTrue();
        assertThat(AnswerScore.matches("127027", "127027\n")).isTrue();
        assertThat(AnswerScore.matches("127027", "1270270"))
                .as("a longer answer that starts right")
                .isFalse();
        assertThat(AnswerScore.matches("127027", "12702")).isFalse();
        assertThat(AnswerScore.matches("127027", "127 027")).isFalse();
        assertThat(AnswerScore.matches("127027", "")).isFalse();
        assertThat(AnswerScore.matches("127027", null)).isFalse();
    }

    @Test
    void accuracyIsPerDigitCount() {
        AnswerScore s = new AnswerScore(3);
        assertThat(s.add(1, "8", " 8")).isTrue();
        assertThat(s.add(1, "9", " 6")).isFalse();
        s.add(1, "4", "4");
        s.add(3, "1000", "999");
        assertThat(s.accuracy(1)).isEqualTo(2 / 3.0);
        assertThat(s.correct(1)).isEqualTo(2);
        assertThat(s.total(1)).isEqualTo(3);
        assertThat(s.accuracy(3)).isZero();
        assertThat(s.accuracy(2)).isNaN();
        assertThat(s.byDigits()).containsOnlyKeys(1, 3);
    }
}
