package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.E2eScripts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic lab's page (e2e/arithmetic-page.mjs) in a real browser against a results file in target/labs. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class ArithmeticLabPageTest {
    private static final List<String> POLICIES = List.of("gpt2", "groups-of-3", "single");
    private static final List<String> FORMS = List.of("normal", "reversed");

    @TestHTTPResource("/")
    URL url;

    @Test
    void pageShowsTheTableAndOneChartSeriesPerPolicy() throws Exception {
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Map<String, Object>> cells = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            for (int p = 0; p < 3; p++) {
                Map<String, Object> acc = new LinkedHashMap<>(),
                        correct = new LinkedHashMap<>(),
                        total = new LinkedHashMap<>();
                for (int d = 1; d <= 6; d++) {
                    int right = (100 - 15 * d + 7 * p + 3 * f) % 101;
                    acc.put(Integer.toString(d), right / 100.0);
                    correct.put(Integer.toString(d), right);
                    total.put(Integer.toString(d), 100);
                    cells.add(Map.of(
                            "policy",
                            POLICIES.get(p),
                            "form",
                            FORMS.get(f),
                            "digits",
                            d,
                            "text",
                            String.format(Locale.ROOT, "%.1f%%", (double) right)));
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("policy", POLICIES.get(p));
                r.put("form", FORMS.get(f));
                r.put("accuracy", acc);
                r.put("correct", correct);
                r.put("total", total);
                r.put("examplePieces", List.of("945", "69", " +", " 324", "58", " =", " 127", "027"));
                r.put("exampleAnswer", p == 0 && f == 0 ? "<img src=x onerror=alert(1)>" : "127027");
                r.put("exampleCorrect", p != 0 || f != 0);
                runs.add(r);
            }
        }
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("lab", "arithmetic");
        lab.put("summary", "acc_gpt2=0.250 acc_groups3=0.320 acc_single=0.390");
        lab.put("wallSeconds", 512.0);
        lab.put(
                "setup",
                Map.of(
                        "seed",
                        15,
                        "trainProblems",
                        120000,
                        "testProblems",
                        513,
                        "parameters",
                        464000,
                        "steps",
                        2000,
                        "batchSize",
                        16,
                        "seqLen",
                        64,
                        "tokenBudget",
                        2048000));
        lab.put("digits", List.of(1, 2, 3, 4, 5, 6));
        lab.put("policies", POLICIES);
        lab.put("forms", FORMS);
        lab.put("example", Map.of("prompt", "94569 + 32458 =", "answer", "127027", "reversedAnswer", "720721"));
        lab.put("runs", runs);
        ObjectMapper json = new ObjectMapper();
        Path dir = Path.of("target/labs");
        Files.createDirectories(dir);
        json.writeValue(dir.resolve("arithmetic.json").toFile(), lab);

        String out = E2eScripts.run(
                "arithmetic-page.mjs",
                Map.of("BASE_URL", url.toString(), "CELLS", json.writeValueAsString(cells)),
                true,
                Duration.ofSeconds(90));
        assertThat(out).contains("ARITHMETIC_PAGE_OK");
    }
}
