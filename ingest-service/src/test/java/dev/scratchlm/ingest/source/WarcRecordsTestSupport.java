package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.netpreserve.jwarc.HttpRequest;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcRequest;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/** WARC files written with jwarc's writer for the tests. */
public final class WarcRecordsTestSupport {
    private WarcRecordsTestSupport() {}

    /** A small crawl: HTML page (with its request), a WET conversion, a 404, an image, a Latin-1 page. */
    public static void writeCrawl(Path file, WarcCompression compression, String html, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                WarcWriter w = new WarcWriter(ch, compression)) {
            Instant when = Instant.parse("2009-03-04T05:06:07Z");
            w.write(new WarcRequest.Builder("http://example.org/mill")
                    .date(when)
                    .body(new HttpRequest.Builder("GET", "/mill").build())
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/mill")
                    .date(when)
                    .body(new HttpResponse.Builder(200, "OK")
                            .body(MediaType.HTML_UTF8, html.getBytes(StandardCharsets.UTF_8))
                            .build())
                    .build());
            w.write(new WarcConversion.Builder()
                    .setHeader("WARC-Target-URI", "http://example.org/bread")
                    .date(Instant.parse("2012-01-02T00:00:00Z"))
                    .body(MediaType.PLAIN_TEXT, text.getBytes(StandardCharsets.UTF_8))
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/gone")
                    .date(when)
                    .body(new HttpResponse.Builder(404, "Not Found")
                            .body(MediaType.HTML_UTF8, "gone".getBytes(StandardCharsets.UTF_8))
                            .build())
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/logo.png")
                    .date(when)
                    .body(new HttpResponse.Builder(200, "OK")
                            .body(MediaType.parse("image/png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0})
                            .build())
                    .build());
            w.write(new WarcResponse.Builder("http://example.org/latin1")
                    .date(when)
                    .body(new HttpResponse.Builder(200, "OK")
                            .body(
                                    MediaType.parse("text/plain;charset=ISO-8859-1"),
                                    "Caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1))
                            .build())
                    .build());
        }
    }

    /**
     * A crawl of {@code pages} HTML responses of about {@code bytesPerPage} bytes of varied English-like words, with a
     * request record before every third (requests are not captures).
     */
    public static void writePages(Path file, WarcCompression compression, int pages, int bytesPerPage)
            throws IOException {
        String[] words = ("the of and to in a is that for it as was with be by on not this are or from at which but "
                        + "have an they you were her she there one all we their members report house vote debate council "
                        + "commission proposal budget regions fisheries market policy citizens rights energy transport")
                .split(" ");
        java.util.Random rnd = new java.util.Random(pages);
        try (FileChannel ch = FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                WarcWriter w = new WarcWriter(ch, compression)) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < pages; i++) {
                String url = "http://example.org/page" + i;
                Instant when = Instant.parse("2009-03-04T05:06:07Z").plusSeconds(i);
                if (i % 3 == 0) {
                    w.write(new WarcRequest.Builder(url)
                            .date(when)
                            .body(new HttpRequest.Builder("GET", "/page" + i).build())
                            .build());
                }
                text.setLength(0);
                text.append("<html><body><p>Page ").append(i).append(". ");
                while (text.length() < bytesPerPage)
                    text.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(12) == 0 ? ". " : " ");
                text.append("</p></body></html>");
                w.write(new WarcResponse.Builder(url)
                        .date(when)
                        .body(new HttpResponse.Builder(200, "OK")
                                .body(MediaType.HTML_UTF8, text.toString().getBytes(StandardCharsets.UTF_8))
                                .build())
                        .build());
            }
        }
    }
}
