package dev.scratchlm.ingest.source;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WholeFileRecordTest {
    @TempDir
    Path dir;

    RawRecord read(String name, byte[] content, ReadLimits limits) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        List<RawRecord> recs = readAll(readers(limits), task(file, SourceFormat.ofFileName(name), null, 0, 1));
        assertThat(recs).hasSize(1);
        return recs.get(0);
    }

    @Test
    void aTextFileIsOneDocumentTitledByItsName() throws IOException {
        RawRecord r = read("notes.md", "\uFEFF# Notes\nSome text.".getBytes(StandardCharsets.UTF_8), LIMITS);
        assertThat(r.error()).isNull();
        assertThat(r.text()).isEqualTo("# Notes\nSome text."); // the byte-order mark is gone
        assertThat(r.title()).isEqualTo("notes.md");
        assertThat(r.contentType()).isEqualTo("text/plain");
    }

    @Test
    void binaryInvalidOversizedAndUnsupportedFilesAreRejectedWithReasons() throws IOException {
        assertThat(read("photo.txt", new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 0, 'J', 'F', 'I', 'F'}, LIMITS)
                        .error()
                        .filter())
                .isEqualTo("read.binary");
        RawRecord latin1 = read("old.txt", "na\u00efve caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), LIMITS);
        assertThat(latin1.error().filter()).isEqualTo("read.invalid-utf8");
        assertThat(latin1.error().reason()).contains("at byte 2");
        assertThat(read("big.html", "<p>x</p>".repeat(1000).getBytes(StandardCharsets.UTF_8), LIMITS)
                        .error()
                        .filter())
                .isEqualTo("read.oversized");
        assertThat(read("data.csv", "a,b".getBytes(StandardCharsets.UTF_8), LIMITS)
                        .error()
                        .filter())
                .isEqualTo("read.unsupported-format");
    }

    @Test
    void aGzippedBombIsStoppedBeforeItFillsMemory() throws IOException {
        Path file = dir.resolve("bomb.txt.gz");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) gz.write(zeros); // 64 MB of zeros in ~64 KB
        }
        List<RawRecord> recs =
                readAll(readers(new ReadLimits(100_000_000, 1L << 32, 100)), task(file, SourceFormat.TXT, null, 0, 1));
        assertThat(recs)
                .singleElement()
                .satisfies(r -> assertThat(r.error().filter()).isEqualTo("read.decompression-bomb"));
    }
}
