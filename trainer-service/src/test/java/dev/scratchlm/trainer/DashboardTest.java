package dev.scratchlm.trainer;

import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import dev.scratchlm.devstack.SharedDevStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The dashboard in a real browser (e2e/trainer-dashboard.mjs): start a job from the page, watch it, stop it. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FreshStateDir.class, restrictToAnnotatedClass = false)
class DashboardTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void aPresenterStartsWatchesAndStopsAJobFromThePage() throws Exception {
        String tokenizer = "bytes-dashboard-" + UUID.randomUUID().toString().substring(0, 8);
        String base = url.toString().endsWith("/") ? url.toString() : url + "/";
        Api.produceCorpus(SharedDevStack.get().bootstrapServers(), tokenizer, 3, 40, 9);
        Api.awaitTokenizer(base, tokenizer, 3);
        String out = E2eScripts.run(
                "trainer-dashboard.mjs",
                Map.of("BASE_URL", base, "TOKENIZER_ID", tokenizer),
                true,
                Duration.ofMinutes(4));
        System.out.println(out);
    }
}
