package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.io.InputStream;

/**
 * Line-per-record files (JSONL, Europarl). Records are the non-blank lines, numbered from 0; a task reads the range
 * [first, end) by skipping earlier lines without decoding them. Every failure becomes an unreadable record, and a
 * failure of the stream itself (a decompression bomb, a truncated gzip) ends the file with one such record.
 */
abstract class LineRecords implements RecordReader {
    private final InputStream in;
    private final LineReader lines;
    private final long first, end;
    protected final String fileUri;
    protected final ReadLimits limits;
    private long recordNo;
    private boolean done;

    LineRecords(InputStream in, String fileUri, Readers.Start start, long first, long end, ReadLimits limits) {
        this.in = in;
        this.lines = new LineReader(in, limits.maxDocumentBytes(), start.linesBefore());
        this.recordNo = start.recordNo();
        this.fileUri = fileUri;
        this.first = first;
        this.end = end;
        this.limits = limits;
    }

    /** Turns one decoded line into a record (or an unreadable one if its content is malformed). */
    protected abstract RawRecord parse(long recordNo, long lineNo, String line, int bytes);

    protected String lineUri(long lineNo) {
        return fileUri + "#line=" + lineNo;
    }

    @Override
    public RawRecord next() {
        while (!done) {
            try {
                if (!lines.next()) {
                    done = true;
                    return null;
                }
            } catch (IOException e) {
                done = true;
                long no = recordNo;
                return no >= first && no < end ? streamFailure(no, lineUri(lines.lineNo() + 1), e) : null;
            }
            if (lines.blank()) continue;
            long no = recordNo++;
            if (no < first) continue;
            if (no >= end) {
                done = true;
                return null;
            }
            String uri = lineUri(lines.lineNo());
            if (lines.oversized()) {
                return RawRecord.unreadable(
                        no,
                        uri,
                        (int) Math.min(Integer.MAX_VALUE, lines.fullLength()),
                        "read.oversized",
                        "record of " + lines.fullLength() + " bytes exceeds the limit of " + limits.maxDocumentBytes());
            }
            if (TextBytes.looksBinary(lines.bytes(), 0, lines.length())) {
                return RawRecord.unreadable(no, uri, lines.length(), "read.binary", "binary data, not text");
            }
            String text;
            try {
                text = TextBytes.utf8(lines.bytes(), 0, lines.length());
            } catch (TextBytes.InvalidText e) {
                return RawRecord.unreadable(no, uri, lines.length(), "read.invalid-utf8", e.getMessage());
            }
            return parse(no, lines.lineNo(), text, lines.length());
        }
        return null;
    }

    static RawRecord streamFailure(long recordNo, String uri, IOException e) {
        if (e instanceof DecompressionBombException) {
            return RawRecord.unreadable(
                    recordNo,
                    uri,
                    0,
                    "read.decompression-bomb",
                    "decompression bomb: " + e.getMessage() + "; the rest of the file is not read");
        }
        return RawRecord.unreadable(
                recordNo,
                uri,
                0,
                "read.corrupt",
                "unreadable from here on: " + e + "; the rest of the file is not read");
    }

    /** Records in a line file, as the readers number them: non-blank lines, plus one for a stream failure. */
    static long scan(InputStream in, ReadLimits limits, Readers.Seeker seeker) {
        LineReader lines = new LineReader(in, limits.maxDocumentBytes(), 0);
        long n = 0;
        try {
            while (lines.next()) {
                if (lines.blank()) continue;
                seeker.recordAt(n++, lines.lineStart(), lines.lineNo() - 1);
            }
        } catch (IOException e) {
            n++; // the failure itself is reported as one record
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
