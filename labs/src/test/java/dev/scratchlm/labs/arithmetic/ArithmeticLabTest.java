package dev.scratchlm.labs.arithmetic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A tiny lab end to end (1-2 digits, a small model, a few hundred steps): every model trains and the file is whole. */
class ArithmeticLabTest {
    @Test
    void aTinyLabTrainsAllSixModelsAndWritesTheResults() throws Exception {
        LabConfig cfg = new LabConfig(7, 2, 2000, 50, 300, 2, 4, 64, 32, 16, 300, 3e-3f, 2, 2);
        Path out = Path.of("target/lab-test");
        Files.deleteIfExists(out.resolve("arithmetic.json"));
        List<String> progress = new ArrayList<>();
        String summary = ArithmeticLab.run(cfg, out, line -> {
            synchronized (progress) {
                progress.add(line);
            }
        });
        assertThat(summary)
                .matches("acc_gpt2=[0-9.]+ acc_groups3=[0-9.]+ acc_single=[0-9.]+ acc_gpt2_reversed=.*digits=2.*");
        assertThat(progress).anyMatch(l -> l.startsWith("tokenizer single"));

        JsonNode json =
                new ObjectMapper().readTree(out.resolve("arithmetic.json").toFile());
        assertThat(json.get("summary").asText()).isEqualTo(summary);
        assertThat(json.at("/setup/tokenBudget").asLong()).isEqualTo(300L * 16 * 32);
        Set<String> runs = new HashSet<>();
        double best1 = 0;
        for (JsonNode r : json.get("runs")) {
            String name = r.get("policy").asText() + "/" + r.get("form").asText();
            runs.add(name);
            assertThat(r.get("accuracy").size()).as(name).isEqualTo(2);
            assertThat(r.at("/total/2").asInt()).as(name).isEqualTo(50);
            // Training works: the answer loss falls to well under half of where it started.
            assertThat(r.get("finalLoss").asDouble())
                    .as(name + " loss")
                    .isLessThan(r.get("firstLoss").asDouble() / 2);
            assertThat(r.get("examplePieces").size()).as(name).isGreaterThan(4);
            assertThat(r.hasNonNull("exampleAnswer")).as(name).isTrue();
            best1 = Math.max(best1, r.at("/accuracy/1").asDouble());
        }
        assertThat(runs)
                .containsExactlyInAnyOrder(
                        "gpt2/normal",
                        "groups-of-3/normal",
                        "single/normal",
                        "gpt2/reversed",
                        "groups-of-3/reversed",
                        "single/reversed");
        // One digit plus one digit has 19 possible answers; a trained model gets far more than 1 in 19 right.
        assertThat(best1).as("best 1-digit accuracy").isGreaterThan(0.4);
    }
}
