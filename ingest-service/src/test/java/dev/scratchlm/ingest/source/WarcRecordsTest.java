package dev.scratchlm.ingest.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.HttpRequest;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcRequest;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

class WarcRecordsTest {
    @TempDir
    Path dir;

    /** A small crawl: HTML page (with its request), a WET conversion, a 404, an image, a Latin-1 page. */
    public static void writeCrawl(Path file, WarcCompression compression, String html, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); WarcWriter w = new WarcWriter(ch, compression)) {
            Instant when = Instant.parse("2009-03-04T05:06:07Z");
            w.write(new WarcRequest.Builder("http://example.org/mill").date(when)
                    .body(new HttpRequest.Builder("GET", "/mill").build()).build());
            w.write(new WarcResponse.Builder("http://example.org/mill").date(when)
                    .body(new HttpResponse.Builder(200, "OK").body(MediaType.HTML_UTF8, html.getBytes(StandardCharsets.UTF_8)).build())
                    .build());
            w.write(new WarcConversion.Builder().setHeader("WARC-Target-URI", "http://example.org/bread")
                    .date(Instant.parse("2012-01-02T00:00:00Z")).body(MediaType.PLAIN_TEXT, text.getBytes(StandardCharsets.UTF_8)).build());
            w.write(new WarcResponse.Builder("http://example.org/gone").date(when)
                    .body(new HttpResponse.Builder(404, "Not Found").body(MediaType.HTML_UTF8, "gone".getBytes(StandardCharsets.UTF_8)).build())
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/logo.png").date(when)
                    .body(new HttpResponse.Builder(200, "OK").body(MediaType.parse("image/png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0}).build())
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/latin1").date(when)
                    .body(new HttpResponse.Builder(200, "OK").body(MediaType.parse("text/plain;charset=ISO-8859-1"),
                            "Caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1)).build())
                    .build());
        }
    }

    @Test
    void capturesBecomeRecordsWithTargetUriAndCaptureDate() throws IOException {
        for (WarcCompression compression : List.of(WarcCompression.NONE, WarcCompression.GZIP)) {
            Path file = dir.resolve(compression == WarcCompression.GZIP ? "crawl.warc.gz" : "crawl.warc");
            writeCrawl(file, compression, "<html><title>Mill</title><body><p>The mill.</p></body></html>", "Bread text.");
            Readers readers = readers(LIMITS);
            assertThat(readers.count(file.toString(), null, SourceFormat.WARC)).isEqualTo(5); // the request is no capture
            List<RawRecord> recs = readAll(readers, task(file, SourceFormat.WARC, null, 0, Long.MAX_VALUE));
            assertThat(recs).hasSize(5);

            RawRecord page = recs.get(0);
            assertThat(page.error()).isNull();
            assertThat(page.uri()).isEqualTo("http://example.org/mill");
            assertThat(page.contentType()).isEqualTo("text/html");
            assertThat(page.text()).contains("<p>The mill.</p>");
            assertThat(page.date()).isEqualTo(LocalDate.of(2009, 3, 4));

            RawRecord wet = recs.get(1);
            assertThat(wet.contentType()).isEqualTo("text/plain");
            assertThat(wet.text()).isEqualTo("Bread text.");
            assertThat(wet.uri()).isEqualTo("http://example.org/bread");
            assertThat(wet.date()).isEqualTo(LocalDate.of(2012, 1, 2));

            assertThat(recs.get(2).error().filter()).isEqualTo("read.http-status");
            assertThat(recs.get(3).error().filter()).isEqualTo("read.unsupported-type");
            assertThat(recs.get(3).error().reason()).contains("image/png");
            assertThat(recs.get(4).text()).isEqualTo("Caf\u00e9 cr\u00e8me"); // the declared charset is honoured

            assertThat(readAll(readers, task(file, SourceFormat.WARC, null, 1, 2))).extracting(RawRecord::uri)
                    .containsExactly("http://example.org/bread");
        }
    }
}
