package dev.scratchlm.ingest.source;

import static dev.scratchlm.ingest.source.ReaderTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcCompression;

class WarcRecordsTest {
    @TempDir
    Path dir;

    @Test
    void capturesBecomeRecordsWithTargetUriAndCaptureDate() throws IOException {
        for (WarcCompression compression : List.of(WarcCompression.NONE, WarcCompression.GZIP)) {
            Path file = dir.resolve(compression == WarcCompression.GZIP ? "crawl.warc.gz" : "crawl.warc");
            WarcRecordsTestSupport.writeCrawl(
                    file, compression, "<html><title>Mill</title><body><p>The mill.</p></body></html>", "Bread text.");
            Readers readers = readers(LIMITS);
            assertThat(readers.count(file.toString(), null, SourceFormat.WARC))
                    .isEqualTo(5); // the request is no capture
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

            assertThat(readAll(readers, task(file, SourceFormat.WARC, null, 1, 2)))
                    .extracting(RawRecord::uri)
                    .containsExactly("http://example.org/bread");
        }
    }
}
