package dev.scratchlm.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rater ranks with the keyboard and by drag and drop in Chromium (e2e/feedback-page.mjs); the ranking that stands
 * (dragged, with a tie) lands in PostgreSQL and on rankings, once.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class RaterPageTest {
    @TestHTTPResource("/")
    URL url;

    @Test
    void aRaterRanksSkipsUndoesAndDrags() throws Exception {
        Stack stack = new Stack(url.toString());
        List<String> markup = List.of("<img src=x onerror=alert(1)>", "A plain answer.", "Another answer.");
        String campaign = stack.campaign(
                List.of("Prompt A", "Prompt B", "Prompt C"), 3, 1, null, List.of(markup, markup, markup));
        String name = "page-" + campaign.substring(2);
        String password = "correct horse battery";
        assertThat(stack.admin
                        .post("api/raters", Map.of("name", name, "password", password))
                        .status())
                .isEqualTo(201);

        String out = E2eScripts.run(
                "feedback-page.mjs",
                Map.of("BASE_URL", url.toString(), "CAMPAIGN", campaign, "RATER", name, "PASSWORD", password),
                true,
                Duration.ofMinutes(2));
        String line =
                out.lines().filter(l -> l.startsWith("RANKED ")).findFirst().orElseThrow(() -> new AssertionError(out));
        String prompt = line.substring("RANKED user".length(), line.lastIndexOf(' '));
        List<?> order = Json.read(line.substring(line.lastIndexOf(' ') + 1), List.class);

        // In PostgreSQL: one ranking by this rater (the undone one is gone), the skip does not count.
        var report = stack.admin.get("api/campaigns/" + campaign).json();
        assertThat(report.at("/progress/humanRankings").asInt()).isEqualTo(1);
        // On the topic, after the undo window: that ranking, once, with the order typed.
        var records = Topic.await(Topics.RANKINGS, r -> r.key().startsWith(campaign + "-"), 1);
        Thread.sleep(2500);
        records = Topic.all(Topics.RANKINGS).stream()
                .filter(r -> r.key().startsWith(campaign + "-"))
                .toList();
        assertThat(records).hasSize(1);
        Ranking rk = Json.read(records.get(0).value(), Ranking.class);
        assertThat(rk.rater()).isEqualTo(name);
        assertThat(rk.prompt().get(rk.prompt().size() - 1).content()).isEqualTo(prompt);
        assertThat(rk.order()).isEqualTo(order);
    }
}
