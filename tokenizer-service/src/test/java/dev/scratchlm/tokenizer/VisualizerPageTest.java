package dev.scratchlm.tokenizer;

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

/** The visualizer page in a real browser (e2e/tokenizer-visualizer.mjs). */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class VisualizerPageTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void thePageShowsTheApisPiecesSideBySideAndTheNumberPolicies() {
        String output = E2eScripts.run(
                "tokenizer-visualizer.mjs", Map.of("BASE_URL", url.toString()), true, Duration.ofMinutes(2));
        assertThat(output).contains("tokenizer visualizer: ok");
    }
}
