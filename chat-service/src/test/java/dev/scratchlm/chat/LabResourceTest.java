package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A lab's results file is served as JSON by name; a missing lab or a name that tries to be a path is refused. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class LabResourceTest {
    private static final TestHttp HTTP = new TestHttp();

    @TestHTTPResource("/")
    URL url;

    @Test
    void servesTheLastRunOfALabAndRefusesOtherNames() throws Exception {
        Path dir = Path.of("target/labs");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("test-lab.json"), "{\"acc\": 0.5}");
        Files.writeString(Path.of("target/secret.json"), "{\"secret\": true}");

        TestHttp.Reply ok = HTTP.get(url + "api/labs/test-lab");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("acc").asDouble()).isEqualTo(0.5);

        TestHttp.Reply missing = HTTP.get(url + "api/labs/never-run");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error/message").asText()).contains("./scratchlm lab never-run");

        for (String bad : new String[] {"..%2Fsecret", "Test", "a.json", "%2E%2E"}) {
            TestHttp.Reply r = HTTP.get(url + "api/labs/" + bad);
            assertThat(r.status()).as(bad).isIn(400, 404);
            assertThat(r.body()).as(bad).doesNotContain("secret");
        }
    }
}
