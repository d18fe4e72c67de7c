package dev.scratchlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingest page in a real browser (e2e/ingest-page.mjs). */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IngestTestResource.class, restrictToAnnotatedClass = false)
class IngestPageTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void thePageShowsTheStepsAndTheSourcesAsTheApiReportsThem() {
        String output =
                E2eScripts.run("ingest-page.mjs", Map.of("BASE_URL", url.toString()), true, Duration.ofMinutes(2));
        assertThat(output).contains("ingest page: ok");
    }
}
