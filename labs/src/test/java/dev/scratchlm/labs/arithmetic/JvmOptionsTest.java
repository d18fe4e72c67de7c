package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.gpt.GptRuntime;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** jvm.options (what ./scratchlm lab runs the labs with) carries every flag the model needs. */
class JvmOptionsTest {
    @Test
    void everyGptFlagIsInJvmOptions() throws Exception {
        List<String> flags = Files.readAllLines(Path.of("jvm.options")).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String f : GptRuntime.JVM_FLAGS) assertThat(flags).as("jvm.options has gpt's %s", f).contains(f);
    }
}
