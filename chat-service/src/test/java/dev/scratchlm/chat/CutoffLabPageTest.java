package dev.scratchlm.chat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The knowledge-cutoff lab page (e2e/lab-cutoff-page.mjs) draws what GET /api/labs/cutoff serves. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class CutoffLabPageTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void showsTheFourFiguresAndTheYearsAsText() throws Exception {
        Path dir = Path.of("target/labs");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cutoff.json"), """
                {"lab": "cutoff", "seconds": 412, "tokenizerId": "<img src=x onerror=alert(1)>", "steps": 500,
                 "batchSize": 16, "blockSize": 128, "unit": "bits per byte",
                 "windows": {"early": {"to": "2005-12-31", "trainDocuments": 656, "heldOutDocuments": 44},
                             "late": {"from": "2005-12-31", "to": "2010-12-31", "trainDocuments": 437, "heldOutDocuments": 16}},
                 "models": [
                  {"name": "early", "cutoff": "2005-12-31", "checkpointId": "a", "earlyDocs": 1.9, "lateDocs": 2.25},
                  {"name": "late", "cutoff": "2010-12-31", "checkpointId": "b", "earlyDocs": 1.95, "lateDocs": 2.0}],
                 "yearsTrain": {"1996": 40, "2010": 106}, "yearsHeldOut": {"1996": 5, "2010": 4}}
                """);
        String expected = "[{\"model\":\"early\",\"early\":\"1.9000\",\"late\":\"2.2500\",\"best\":[\"early\"]},"
                + "{\"model\":\"late\",\"early\":\"1.9500\",\"late\":\"2.0000\",\"best\":[\"late\"]}]";
        E2eScripts.run(
                "lab-cutoff-page.mjs",
                Map.of("BASE_URL", url.toString(), "EXPECTED", expected),
                true,
                Duration.ofSeconds(90));
    }
}
