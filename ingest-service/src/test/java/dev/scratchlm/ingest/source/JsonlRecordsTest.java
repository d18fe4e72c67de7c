package dev.scratchlm.ingest.source;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.IngestTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlRecordsTest {
    @TempDir
    Path dir;

    static byte[] lines() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("""
                {"text": "first", "url": "http://a/1", "title": "One", "date": "2009-05-01T10:00:00Z", "lang": "en"}

                {"text": "second"
                {"url": "http://a/3"}
                """.getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '(', '"', '}', '\n'
        }); // bad UTF-8
        out.write(new byte[] {'{', 0, 0, 0, '}', '\n'}); // binary
        out.write(("{\"text\": \"" + "x".repeat(3000) + "\"}\n").getBytes(StandardCharsets.UTF_8)); // over 2000 bytes
        out.write("{\"text\": \"dated badly\", \"date\": \"yesterday\"}\n".getBytes(StandardCharsets.UTF_8));
        out.write("[1, 2]\r\n{\"text\": \"last\"}".getBytes(StandardCharsets.UTF_8)); // CRLF, no final newline
        return out.toByteArray();
    }

    @Test
    void everyLineIsARecordOrARejectionWithItsReason() throws IOException {
        Path file = dir.resolve("docs.jsonl");
        Files.write(file, lines());
        List<RawRecord> recs = readAll(readers(LIMITS), task(file, SourceFormat.JSONL, null, 0, Long.MAX_VALUE));
        assertThat(recs).extracting(RawRecord::recordNo).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        RawRecord first = recs.get(0);
        assertThat(first.error()).isNull();
        assertThat(first.text()).isEqualTo("first");
        assertThat(first.uri()).isEqualTo("http://a/1");
        assertThat(first.title()).isEqualTo("One");
        assertThat(first.date()).isEqualTo(LocalDate.of(2009, 5, 1));
        assertThat(first.languageHint()).isEqualTo("en");

        assertThat(recs.subList(1, 8))
                .extracting(r -> r.error().filter())
                .containsExactly(
                        "read.malformed",
                        "read.malformed",
                        "read.invalid-utf8",
                        "read.binary",
                        "read.oversized",
                        "read.malformed",
                        "read.malformed");
        assertThat(recs.get(1).uri()).isEqualTo("docs.jsonl#line=3"); // the blank line 2 is not a record
        assertThat(recs.get(2).error().reason()).contains("\"text\"");
        assertThat(recs.get(3).error().reason()).contains("at byte 9");
        assertThat(recs.get(5).error().reason()).contains("3012 bytes", "2000");
        assertThat(recs.get(6).error().reason()).contains("'yesterday'");
        assertThat(recs.get(8).text()).isEqualTo("last");
    }

    @Test
    void aTaskReadsOnlyItsRangeAndCountingAgreesWithReading() throws IOException {
        Path file = dir.resolve("docs.jsonl.gz");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(lines());
        }
        Readers readers = readers(LIMITS);
        assertThat(readers.count(file.toString(), null, SourceFormat.JSONL)).isEqualTo(9);
        IngestTask range = task(file, SourceFormat.JSONL, null, 4, 6);
        assertThat(readAll(readers, range)).extracting(RawRecord::recordNo).containsExactly(4L, 5L);
    }

    @Test
    void aDecompressionBombEndsTheFileWithOneRejection() throws IOException {
        Path file = dir.resolve("bomb.jsonl.gz");
        byte[] line = "{\"text\": \"again and again\"}\n".getBytes(StandardCharsets.UTF_8);
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < 200_000; i++) gz.write(line); // 5.6 MB from ~20 KB
        }
        Readers readers = readers(new ReadLimits(2000, 50_000_000, 100));
        long count = readers.count(file.toString(), null, SourceFormat.JSONL);
        List<RawRecord> recs = readAll(readers, task(file, SourceFormat.JSONL, null, 0, Long.MAX_VALUE));
        assertThat(recs).hasSize((int) count);
        RawRecord last = recs.get(recs.size() - 1);
        assertThat(last.error().filter()).isEqualTo("read.decompression-bomb");
        assertThat(last.error().reason()).contains("compression ratio");
        assertThat(recs.subList(0, recs.size() - 1))
                .allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(recs.size()).isLessThan(200_000);
    }
}
