package dev.scratchlm.ingest.source;

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

/** WARC files written with jwarc's writer for the tests. */
public final class WarcRecordsTestSupport {
    private WarcRecordsTestSupport() {}

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
}
