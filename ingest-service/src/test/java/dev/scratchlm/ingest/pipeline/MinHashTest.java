package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.ingest.Texts;
import org.junit.jupiter.api.Test;

class MinHashTest {
    final MinHash minHash = new MinHash(14, 8, 1234567L);

    static int sharedBands(long[] a, long[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) n++;
        return n;
    }

    @Test
    void identicalTextsShareEverything() {
        long[] a = minHash.signature(Texts.ENGLISH);
        long[] b = minHash.signature(Texts.ENGLISH.toUpperCase().replace(",", " ,")); // case and spacing do not count
        assertThat(a).hasSize(112);
        assertThat(MinHash.similarity(a, b)).isEqualTo(1.0);
        assertThat(sharedBands(minHash.bandKeys(a), minHash.bandKeys(b))).isEqualTo(14);
    }

    @Test
    void aSmallEditIsANearDuplicate() {
        String edited = Texts.ENGLISH.replace("children", "kids");
        long[] a = minHash.signature(Texts.ENGLISH);
        long[] b = minHash.signature(edited);
        // one word changes 5 of ~80 shingles: Jaccard ~ 0.88
        assertThat(MinHash.similarity(a, b)).isBetween(0.75, 0.99);
        assertThat(sharedBands(minHash.bandKeys(a), minHash.bandKeys(b))).isPositive();
    }

    @Test
    void unrelatedTextsShareNoBand() {
        long[] a = minHash.signature(Texts.ENGLISH);
        long[] b = minHash.signature(Texts.ENGLISH_2);
        assertThat(MinHash.similarity(a, b)).isLessThan(0.1);
        assertThat(sharedBands(minHash.bandKeys(a), minHash.bandKeys(b))).isZero();
    }

    @Test
    void shortTextsAreOneShingleAndEmptyHasNoSignature() {
        assertThat(minHash.signature("two words")).hasSize(112);
        assertThat(minHash.signature(" ... ")).isNull();
    }

    @Test
    void theStepStoresOneKeyPerBand() {
        Doc d = new Doc(0, "u", "text/plain", Texts.ENGLISH, 10);
        new MinHashStep(minHash).apply(d, NormalizeTest.ANY);
        assertThat(d.bandKeys).hasSize(14);
    }
}
