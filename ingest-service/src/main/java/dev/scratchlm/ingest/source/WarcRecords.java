package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.MessageBody;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcPayload;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResource;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcTargetRecord;

/**
 * WARC and WET files (Common Crawl's formats) with jwarc. The records that are documents are captures: response
 * (an HTTP response, usually HTML), resource, and conversion (WET's extracted text); request, metadata, warcinfo and
 * revisit records describe captures and are not counted. The capture date (WARC-Date) is the document's date: the
 * page existed then, which is what the knowledge cutoff is about.
 */
final class WarcRecords implements RecordReader {
    private static final Pattern META_CHARSET =
            Pattern.compile("(?i)<meta[^>]+charset\\s*=\\s*[\"']?([A-Za-z0-9._:-]+)");

    private final InputStream in;
    private WarcReader reader; // made at the first read: making it reads, and a failure then is the file's first record
    private final String fileUri;
    private final long first, end;
    private final ReadLimits limits;
    private long recordNo;
    private boolean done;

    WarcRecords(InputStream in, String fileUri, Readers.Start start, long first, long end, ReadLimits limits) {
        this.in = in;
        this.recordNo = start.recordNo();
        this.fileUri = fileUri;
        this.first = first;
        this.end = end;
        this.limits = limits;
    }

    static boolean isCapture(WarcRecord r) {
        return r instanceof WarcResponse || r instanceof WarcResource || r instanceof WarcConversion;
    }

    @Override
    public RawRecord next() {
        while (!done) {
            WarcRecord record;
            try {
                if (reader == null) reader = new WarcReader(in);
                Optional<WarcRecord> next = reader.next();
                if (next.isEmpty()) {
                    done = true;
                    return null;
                }
                record = next.get();
            } catch (IOException | RuntimeException e) {
                done = true;
                long no = recordNo;
                IOException io = e instanceof IOException x ? x : new IOException(e.getMessage(), e);
                return no >= first && no < end ? LineRecords.streamFailure(no, fileUri + "#record=" + no, io) : null;
            }
            if (!isCapture(record)) continue;
            long no = recordNo++;
            if (no < first) continue;
            if (no >= end) {
                done = true;
                return null;
            }
            return read(no, (WarcTargetRecord) record);
        }
        return null;
    }

    private RawRecord read(long no, WarcTargetRecord record) {
        String uri = record.target() != null ? record.target() : fileUri + "#record=" + no;
        LocalDate date = record.date() == null
                ? null
                : record.date().atZone(ZoneOffset.UTC).toLocalDate();
        try {
            MediaType type;
            MessageBody body;
            if (record instanceof WarcResponse response
                    && response.contentType().base().equals(MediaType.HTTP_RESPONSE.base())) {
                HttpResponse http = response.http();
                if (http.status() < 200 || http.status() >= 300) {
                    return RawRecord.unreadable(
                            no, uri, 0, "read.http-status", "HTTP " + http.status() + ", not a page");
                }
                type = http.contentType();
                body = http.bodyDecoded();
            } else {
                Optional<WarcPayload> payload = record.payload();
                if (payload.isEmpty())
                    return RawRecord.unreadable(no, uri, 0, "read.malformed", "capture without a payload");
                type = payload.get().type();
                body = payload.get().body();
            }
            String base = type == null ? "" : type.base().toString().toLowerCase(Locale.ROOT);
            boolean html = base.equals("text/html") || base.equals("application/xhtml+xml");
            boolean plain = base.equals("text/plain") || base.equals("text/markdown");
            if (!html && !plain) {
                return RawRecord.unreadable(
                        no, uri, 0, "read.unsupported-type", "content type '" + base + "' is not text or HTML");
            }
            byte[] bytes = readCapped(body.stream(), limits.maxDocumentBytes());
            if (bytes == null) {
                return RawRecord.unreadable(
                        no,
                        uri,
                        limits.maxDocumentBytes(),
                        "read.oversized",
                        "capture larger than the limit of " + limits.maxDocumentBytes() + " bytes");
            }
            if (TextBytes.looksBinary(bytes, 0, bytes.length)) {
                return RawRecord.unreadable(no, uri, bytes.length, "read.binary", "binary data, not text");
            }
            String text;
            try {
                text = TextBytes.decode(bytes, 0, bytes.length, charset(type, bytes, html));
            } catch (TextBytes.InvalidText e) {
                return RawRecord.unreadable(no, uri, bytes.length, "read.invalid-utf8", e.getMessage());
            }
            return new RawRecord(
                    no, uri, html ? "text/html" : "text/plain", text, bytes.length, null, date, null, null);
        } catch (IOException | RuntimeException e) {
            return RawRecord.unreadable(no, uri, 0, "read.malformed", "cannot parse the capture: " + e.getMessage());
        }
    }

    /** The declared charset (HTTP header, then an HTML meta tag), UTF-8 when none is declared. */
    private static Charset charset(MediaType type, byte[] bytes, boolean html) {
        String declared = type == null ? null : type.parameters().get("charset");
        if (declared == null && html) {
            Matcher m = META_CHARSET.matcher(
                    new String(bytes, 0, Math.min(bytes.length, 2048), StandardCharsets.ISO_8859_1));
            if (m.find()) declared = m.group(1);
        }
        if (declared != null) {
            try {
                return Charset.forName(declared.strip());
            } catch (IllegalArgumentException e) {
                // an unknown charset name: fall back to UTF-8, which then must decode strictly
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** Up to max bytes, or null when there is more. */
    static byte[] readCapped(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    /** Captures in the file, as {@link #next} numbers them, plus one for a stream failure. */
    static long scan(InputStream in, Readers.Seeker seeker) {
        long n = 0;
        try (WarcReader reader = new WarcReader(in)) {
            for (Optional<WarcRecord> r = reader.next(); r.isPresent(); r = reader.next()) {
                // position(): where the record starts in the (decoded) stream; reading from there finds it again
                if (isCapture(r.get())) seeker.recordAt(n++, reader.position(), 0);
            }
        } catch (IOException | RuntimeException e) {
            n++; // the failure itself is reported as one record
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) reader.close();
        in.close();
    }
}
