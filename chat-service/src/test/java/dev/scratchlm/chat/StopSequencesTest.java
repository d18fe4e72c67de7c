package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequencesTest {
    @Test
    void cutsBeforeAStopSequenceSplitOverSeveralPushes() {
        StopSequences s = new StopSequences(List.of("\n\nUser:"));
        StringBuilder out = new StringBuilder();
        for (String piece : List.of("Hello", " there", ".\n", "\nUs", "er:", " more")) out.append(s.push(piece));
        assertThat(out.toString()).isEqualTo("Hello there.");
        assertThat(s.stopped()).isTrue();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void holdsBackOnlyWhatCouldStartAStopSequence() {
        StopSequences s = new StopSequences(List.of("END"));
        assertThat(s.push("the E")).isEqualTo("the ");
        assertThat(s.push("N")).isEmpty();
        assertThat(s.push("D")).isEmpty();
        assertThat(s.stopped()).isTrue();

        StopSequences t = new StopSequences(List.of("END"));
        assertThat(t.push("the EN")).isEqualTo("the ");
        assertThat(t.push("ough")).isEqualTo("ENough");
        assertThat(t.stopped()).isFalse();
        assertThat(t.push(" E")).isEqualTo(" ");
        assertThat(t.finish())
                .as("the answer ended: held-back text was plain text")
                .isEqualTo("E");
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StopSequences s = new StopSequences(List.of("b", "ab"));
        assertThat(s.push("xxab")).isEqualTo("xx");
    }

    @Test
    void noStopsPassesTextThrough() {
        StopSequences s = new StopSequences(List.of());
        assertThat(s.push("a")).isEqualTo("a");
        assertThat(s.push("")).isEmpty();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void partialMatchIsTheLongestSuffixThatStartsTheStop() {
        assertThat(StopSequences.partialMatch("abcab", "abd")).isEqualTo(2);
        assertThat(StopSequences.partialMatch("xyz", "abc")).isZero();
        assertThat(StopSequences.partialMatch("aa", "aaa")).isEqualTo(2);
    }
}
