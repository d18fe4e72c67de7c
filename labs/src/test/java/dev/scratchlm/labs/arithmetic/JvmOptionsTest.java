package dev.scratchlm.labs.arithmetic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.gpt.GptRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** jvm.options (what ./scratchlm lab runs the labs with) carries every flag the model needs. */
class JvmOptionsTest {
    @Test
    void everyGptFlagIsInJvmOptions() throws Exception {
        List<String> flags = Files.readAllLines(Path.of("jvm.options")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        for (String f : GptRuntime.JVM_FLAGS)
            assertThat(flags).as("jvm.options has gpt's %s", f).contains(f);
    }
}
