package dev.scratchlm.ingest.source;

import dev.scratchlm.contracts.IngestTask;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            return new WholeFileRecord(InputStream.nullInputStream(), format, task.uri(), task.firstRecord(), task.endRecord(), limits);
        }
        InputStream in = content(task.location(), task.entry());
        return switch (format) {
            case TXT, HTML, UNSUPPORTED -> new WholeFileRecord(in, format, task.uri(), task.firstRecord(), task.endRecord(), limits);
            case JSONL -> new JsonlRecords(in, task.uri(), task.firstRecord(), task.endRecord(), limits);
            case EUROPARL -> new EuroparlRecords(in, task.uri(), task.firstRecord(), task.endRecord(), limits);
            case WARC -> new WarcRecords(in, task.uri(), task.firstRecord(), task.endRecord(), limits);
        };
    }

    /** How many records the readers will number in this file (planning splits ranges of them into tasks). */
    public long count(String location, String entry, SourceFormat format) throws IOException {
        if (format.wholeFile()) return 1;
        try (InputStream in = content(location, entry)) {
            return format == SourceFormat.WARC ? WarcRecords.count(in) : LineRecords.count(in, limits);
        }
    }

    /** The file's bytes, gunzipped (detected by the gzip magic number, not the name) under the bomb guard. */
    public InputStream content(String location, String entry) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw(location, entry), 64 * 1024);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? GuardedInput.gunzip(in, limits) : in;
    }

    private InputStream raw(String location, String entry) throws IOException {
        if (location.startsWith(UploadStore.PREFIX)) return uploads.open(location.substring(UploadStore.PREFIX.length()));
        Path path = Path.of(location);
        if (entry == null) return Files.newInputStream(path);
        ZipFile zip = new ZipFile(path.toFile());
        ZipEntry member = zip.getEntry(entry);
        if (member == null) {
            zip.close();
            throw new NoSuchFileException(location + "!/" + entry);
        }
        return new FilterInputStream(zip.getInputStream(member)) {
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
