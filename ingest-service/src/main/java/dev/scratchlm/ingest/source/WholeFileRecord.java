package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.io.InputStream;

/** Text, Markdown and HTML files: the whole file is one record (or one rejection saying why it cannot be read). */
final class WholeFileRecord implements RecordReader {
    private final InputStream in;
    private final SourceFormat format;
    private final String uri;
    private final String fileName;
    private final ReadLimits limits;
    private final boolean wanted;
    private boolean done;

    WholeFileRecord(InputStream in, SourceFormat format, String uri, long first, long end, ReadLimits limits) {
        this.in = in;
        this.format = format;
        this.uri = uri;
        this.fileName = uri.substring(uri.lastIndexOf('/') + 1);
        this.limits = limits;
        this.wanted = first <= 0 && end > 0;
    }

    @Override
    public RawRecord next() {
        if (done || !wanted) return null;
        done = true;
        if (format == SourceFormat.UNSUPPORTED) {
            return RawRecord.unreadable(
                    0,
                    uri,
                    0,
                    "read.unsupported-format",
                    "'" + fileName + "' is not a supported file type (" + SourceFormat.SUPPORTED_EXTENSIONS + ")");
        }
        byte[] bytes;
        try {
            bytes = WarcRecords.readCapped(in, limits.maxDocumentBytes());
        } catch (IOException e) {
            return LineRecords.streamFailure(0, uri, e);
        }
        if (bytes == null) {
            return RawRecord.unreadable(
                    0,
                    uri,
                    limits.maxDocumentBytes(),
                    "read.oversized",
                    "file larger than the document limit of " + limits.maxDocumentBytes() + " bytes");
        }
        if (TextBytes.looksBinary(bytes, 0, bytes.length)) {
            return RawRecord.unreadable(0, uri, bytes.length, "read.binary", "binary data, not text");
        }
        try {
            String text = TextBytes.utf8(bytes, 0, bytes.length);
            String title = format == SourceFormat.HTML ? null : SourceFormat.stripGz(fileName);
            return new RawRecord(
                    0,
                    uri,
                    format == SourceFormat.HTML ? "text/html" : "text/plain",
                    text,
                    bytes.length,
                    title,
                    null,
                    null,
                    null);
        } catch (TextBytes.InvalidText e) {
            return RawRecord.unreadable(0, uri, bytes.length, "read.invalid-utf8", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
