package dev.scratchlm.ingest.source;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.IngestTask;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcCompression;

/**
 * Planning notes where each task's first record starts; a task's worker seeks there. Reading with the seek must
 * give exactly the records of reading the file from its start, and must not read what comes before.
 */
class SeekTest {
    static final int STEP = 7;

    @TempDir
    Path dir;

    static void writeWarc(Path file, WarcCompression compression, int pages) throws IOException {
        // Requests before every third page: they are not captures, and numbering must skip them the same way after a
        // seek.
        WarcRecordsTestSupport.writePages(file, compression, pages, 300);
    }

    static byte[] jsonl(int records) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < records; i++) {
            if (i % 5 == 0) sb.append("\n"); // blank lines are not records, but they are lines
            sb.append("{\"text\": \"record ")
                    .append(i)
                    .append(' ')
                    .append("x".repeat(i % 13))
                    .append("\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Tasks as the planner makes them: every STEP records, with the seek point planning found. */
    static List<IngestTask> tasks(Readers readers, Path file, SourceFormat format) throws IOException {
        Readers.Layout layout = readers.scan(file.toString(), null, format, STEP);
        List<IngestTask> tasks = new ArrayList<>();
        for (long start = 0; start < layout.records(); start += STEP) {
            IngestTask t = task(file, format, null, start, Math.min(layout.records(), start + STEP));
            tasks.add(withSeek(t, layout.seeks().get(start)));
        }
        return tasks;
    }

    static IngestTask withSeek(IngestTask t, IngestTask.Seek seek) {
        return new IngestTask(
                t.schema(),
                t.taskId(),
                t.sourceId(),
                t.sourceType(),
                t.format(),
                t.location(),
                t.entry(),
                t.uri(),
                t.firstRecord(),
                t.endRecord(),
                t.cutoff(),
                t.undated(),
                t.languages(),
                t.license(),
                t.plannedAt(),
                seek);
    }

    /** Every task, read from its seek point, gives the records a read of the whole file gives, in order. */
    static List<IngestTask> assertTasksReadWhatTheFileHolds(Path file, SourceFormat format, int expectedRecords)
            throws IOException {
        Readers readers = readers(LIMITS);
        List<RawRecord> whole = readAll(readers, task(file, format, null, 0, Long.MAX_VALUE));
        assertThat(whole)
                .hasSize(expectedRecords)
                .allSatisfy(r -> assertThat(r.error()).isNull());
        List<IngestTask> tasks = tasks(readers, file, format);
        List<RawRecord> pieced = new ArrayList<>();
        for (IngestTask t : tasks) {
            if (t.firstRecord() > 0)
                assertThat(t.seek()).as("seek of task at %d", t.firstRecord()).isNotNull();
            pieced.addAll(readAll(readers, t));
        }
        assertThat(pieced).isEqualTo(whole);
        return tasks;
    }

    /** Overwrites the first bytes of the file's content: a reader that starts at the beginning fails on them. */
    static void spoilStart(Path file, int from, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[length]), from);
        }
    }

    /**
     * The same task read from the file's start meets the spoilt bytes: it cannot be opened, a record is unreadable,
     * or the reader stops before the task's range.
     */
    static void assertFailsFromTheStart(Readers readers, IngestTask task) {
        List<RawRecord> recs;
        try {
            recs = readAll(readers, task);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (recs.size() == task.endRecord() - task.firstRecord()) {
            assertThat(recs).anySatisfy(r -> assertThat(r.error()).isNotNull());
        }
    }

    @Test
    void warcGzTasksSeekToTheirOwnMember() throws IOException {
        Path file = dir.resolve("crawl.warc.gz");
        writeWarc(file, WarcCompression.GZIP, 40);
        List<IngestTask> tasks = assertTasksReadWhatTheFileHolds(file, SourceFormat.WARC, 40);
        IngestTask last = tasks.get(tasks.size() - 1);
        assertThat(last.seek().fileOffset()).isPositive();
        assertThat(last.seek().recordOffset()).isEqualTo(last.seek().outputOffset()); // one member per record

        spoilStart(file, 20, 40); // inside the first member's deflate data
        Readers readers = readers(LIMITS);
        assertThat(readAll(readers, last))
                .hasSize((int) (last.endRecord() - last.firstRecord()))
                .allSatisfy(r -> assertThat(r.error()).isNull());
        assertFailsFromTheStart(readers, withSeek(last, null));
    }

    @Test
    void plainWarcTasksSeekToTheirRecord() throws IOException {
        Path file = dir.resolve("crawl.warc");
        writeWarc(file, WarcCompression.NONE, 30);
        List<IngestTask> tasks = assertTasksReadWhatTheFileHolds(file, SourceFormat.WARC, 30);
        IngestTask last = tasks.get(tasks.size() - 1);
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)
                        .substring((int) last.seek().fileOffset()))
                .startsWith("WARC/1.");
        spoilStart(file, 0, 10);
        assertThat(readAll(readers(LIMITS), last))
                .allSatisfy(r -> assertThat(r.error()).isNull());
        assertFailsFromTheStart(readers(LIMITS), withSeek(last, null));
    }

    @Test
    void jsonlTasksSeekToTheirLineAndKeepTheFilesLineNumbers() throws IOException {
        Path file = dir.resolve("docs.jsonl");
        Files.write(file, jsonl(50));
        List<IngestTask> tasks = assertTasksReadWhatTheFileHolds(file, SourceFormat.JSONL, 50);
        IngestTask second = tasks.get(1);
        assertThat(second.seek().linesBefore()).isEqualTo(9); // records 0-6 and blank lines before 0 and 5
        assertThat(readAll(readers(LIMITS), second).get(0).uri()).isEqualTo("docs.jsonl#line=10");
        spoilStart(file, 0, 5);
        assertThat(readAll(readers(LIMITS), tasks.get(3)))
                .allSatisfy(r -> assertThat(r.error()).isNull());
    }

    @Test
    void aSingleMemberGzipIsInflatedToTheRecordButNotParsed() throws IOException {
        Path file = dir.resolve("docs.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(jsonl(50));
        }
        List<IngestTask> tasks = assertTasksReadWhatTheFileHolds(file, SourceFormat.JSONL, 50);
        IngestTask.Seek seek = tasks.get(2).seek();
        assertThat(seek.fileOffset()).isZero();
        assertThat(seek.outputOffset()).isZero();
        assertThat(seek.recordOffset()).isPositive();
    }

    @Test
    void theDecompressionLimitCountsTheWholeFileEvenFromASeek() throws IOException {
        Path file = dir.resolve("crawl.warc.gz");
        writeWarc(file, WarcCompression.GZIP, 40);
        List<IngestTask> tasks = tasks(readers(LIMITS), file, SourceFormat.WARC);
        IngestTask last = tasks.get(tasks.size() - 1);
        assertThat(last.seek().outputOffset()).isPositive();
        // A limit the last task would stay under if it counted from its seek point alone.
        Readers small = readers(new ReadLimits(2000, last.seek().recordOffset() + 10, 1000));
        List<RawRecord> recs = readAll(small, last);
        assertThat(recs)
                .singleElement()
                .satisfies(r -> assertThat(r.error().filter()).isEqualTo("read.decompression-bomb"));
    }

    @Test
    void anInterruptedScanIsAnErrorNotAShortFile() throws IOException {
        Path file = dir.resolve("crawl.warc.gz");
        writeWarc(file, WarcCompression.GZIP, 40);
        Thread.currentThread().interrupt(); // as when the service stops while planning
        try {
            org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.InterruptedIOException.class,
                    () -> readers(LIMITS).scan(file.toString(), null, SourceFormat.WARC, STEP));
        } finally {
            Thread.interrupted();
        }
        assertThat(readers(LIMITS)
                        .scan(file.toString(), null, SourceFormat.WARC, STEP)
                        .records())
                .isEqualTo(40);
    }
}
