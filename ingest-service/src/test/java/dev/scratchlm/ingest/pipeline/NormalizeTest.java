package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    static final SourcePolicy ANY = new SourcePolicy(null, true, Set.of("en"));

    static Doc doc(String text) {
        return new Doc(0, "test", "text/plain", text, text.length());
    }

    @Test
    void composesToNfcSoBothSpellingsAreOneDocument() {
        Doc decomposed = doc("Cafe\u0301 au lait");
        Doc composed = doc("Caf\u00e9 au lait");
        new Normalize().apply(decomposed, ANY);
        new Normalize().apply(composed, ANY);
        assertThat(decomposed.text).isEqualTo("Caf\u00e9 au lait");
        assertThat(decomposed.id).isEqualTo(composed.id).hasSize(64);
    }

    @Test
    void collapsesSpacesTrimsLinesAndKeepsAtMostOneBlankLine() {
        Doc d = doc("  one\t\ttwo \u00a0three  \r\n\r\n\r\n\r\nfour   \rfive\u0007\n\n");
        new Normalize().apply(d, ANY);
        assertThat(d.text).isEqualTo("one two three\n\nfour\nfive");
    }

    @Test
    void idIsTheSha256OfTheNormalizedText() {
        Doc d = doc("hello   world");
        new Normalize().apply(d, ANY);
        // sha256("hello world")
        assertThat(d.id).isEqualTo("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    }

    @Test
    void rejectsWhatIsEmptyAfterNormalization() {
        Rejection r = new Normalize().apply(doc(" \n\t\u200b "), ANY);
        assertThat(r).isNotNull();
        assertThat(r.filter()).isEqualTo("empty");
    }
}
