package dev.scratchlm.ingest.source;

import dev.scratchlm.contracts.IngestTask;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Opens a task's file (a path, a member of a jar, or an upload), gunzips it under guard and picks its reader. */
public final class Readers {
    private final ReadLimits limits;
    private final UploadStore uploads;

    public Readers(ReadLimits limits, UploadStore uploads) {
        this.limits = limits;
        this.uploads = uploads;
    }

    public ReadLimits limits() {
        return limits;
    }

    public RecordReader open(IngestTask task) throws IOException {
        SourceFormat format = SourceFormat.ofId(task.format());
        if (format == SourceFormat.UNSUPPORTED) {
            return new WholeFileRecord(
                    InputStream.nullInputStream(), format, task.uri(), task.firstRecord(), task.endRecord(), limits);
        }
        IngestTask.Seek seek = format.wholeFile() ? null : task.seek();
        InputStream in = content(task.location(), task.entry(), seek == null ? FROM_START : seek);
        // Numbering goes on from the seek point: the record there is the task's first.
        Start start = seek == null ? Start.FILE : new Start(task.firstRecord(), seek.linesBefore());
        return switch (format) {
            case TXT, HTML, UNSUPPORTED ->
                new WholeFileRecord(in, format, task.uri(), task.firstRecord(), task.endRecord(), limits);
            case JSONL -> new JsonlRecords(in, task.uri(), start, task.firstRecord(), task.endRecord(), limits);
            case EUROPARL -> new EuroparlRecords(in, task.uri(), start, task.firstRecord(), task.endRecord(), limits);
            case WARC -> new WarcRecords(in, task.uri(), start, task.firstRecord(), task.endRecord(), limits);
        };
    }

    /** The number of the first record a reader meets, and how many lines come before it. */
    record Start(long recordNo, long linesBefore) {
        static final Start FILE = new Start(0, 0);
    }

    /**
     * A file as the readers will number it: how many records, and where every {@code step}-th record starts (the
     * first record of each task), so a task's worker seeks there. Reads the file once.
     */
    public record Layout(long records, Map<Long, IngestTask.Seek> seeks) {}

    public Layout scan(String location, String entry, SourceFormat format, long step) throws IOException {
        if (format.wholeFile()) return new Layout(1, Map.of());
        try {
            return scanFile(location, entry, format, step);
        } catch (ClosedByInterruptException e) {
            throw new InterruptedIOException("scan of " + location + " interrupted");
        }
    }

    /** @throws InterruptedIOException when the thread was interrupted (however far the scan got) */
    private Layout scanFile(String location, String entry, SourceFormat format, long step) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(raw(location, entry), 64 * 1024);
        try (raw) {
            GuardedInput gunzip = isGzip(raw) ? GuardedInput.gunzip(raw, 0, 0, limits) : null;
            Map<Long, IngestTask.Seek> seeks = new HashMap<>();
            Seeker seeker = (recordNo, offset, linesBefore) -> {
                if (recordNo == 0 || recordNo % step != 0) return;
                if (gunzip == null) {
                    seeks.put(recordNo, new IngestTask.Seek(offset, offset, offset, linesBefore));
                    return;
                }
                long[] member = gunzip.memberHolding(offset);
                if (member != null) seeks.put(recordNo, new IngestTask.Seek(member[0], member[1], offset, linesBefore));
            };
            try (InputStream in = gunzip != null ? gunzip : raw) {
                long records = format == SourceFormat.WARC
                        ? WarcRecords.scan(in, seeker)
                        : LineRecords.scan(in, limits, seeker);
                // The scans count a read failure as the file's last record; an interrupt is no property of the file.
                if (Thread.currentThread().isInterrupted())
                    throw new InterruptedIOException("scan of " + location + " interrupted");
                return new Layout(records, seeks);
            }
        }
    }

    /** Told where each record starts (in the decoded file) while a file is scanned. */
    interface Seeker {
        void recordAt(long recordNo, long offset, long linesBefore);
    }

    /** How many records the readers will number in this file. */
    public long count(String location, String entry, SourceFormat format) throws IOException {
        return scan(location, entry, format, Long.MAX_VALUE).records();
    }

    /** A task without a seek point reads its file from the start. */
    private static final IngestTask.Seek FROM_START = new IngestTask.Seek(0, 0, 0, 0);

    /**
     * The file's bytes from a seek point on, gunzipped (detected by the gzip magic number, not the name) under the
     * bomb guard: the stored bytes before the point are skipped, not read.
     */
    private InputStream content(String location, String entry, IngestTask.Seek seek) throws IOException {
        InputStream file = raw(location, entry);
        try {
            file.skipNBytes(seek.fileOffset());
            BufferedInputStream in = new BufferedInputStream(file, 64 * 1024);
            InputStream decoded =
                    isGzip(in) ? GuardedInput.gunzip(in, seek.fileOffset(), seek.outputOffset(), limits) : in;
            decoded.skipNBytes(seek.recordOffset() - seek.outputOffset());
            return decoded;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static boolean isGzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    private InputStream raw(String location, String entry) throws IOException {
        if (location.startsWith(UploadStore.PREFIX))
            return uploads.open(location.substring(UploadStore.PREFIX.length()));
        Path path = Path.of(location);
        if (entry == null) return Files.newInputStream(path);
        ZipFile zip = new ZipFile(path.toFile());
        ZipEntry member = zip.getEntry(entry);
        if (member == null) {
            zip.close();
            throw new NoSuchFileException(location + "!/" + entry);
        }
        // Inflated under the bomb guard, as gzip is: an entry's declared size is the archive's word, not a limit.
        InputStream inflated = member.getMethod() == ZipEntry.STORED
                ? zip.getInputStream(member)
                : GuardedInput.inflatedEntry(zip.getInputStream(member), member.getCompressedSize(), limits);
        return new FilterInputStream(inflated) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    zip.close();
                }
            }
        };
    }
}
