package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.gpt.GptRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** jvm.options (what the launcher and the Dockerfile run the service with) carries every flag the model needs. */
class JvmOptionsTest {
    @Test
    void everyGptFlagIsInJvmOptionsAndTheNativeCapFitsTheKubernetesLimit() throws Exception {
        List<String> flags = Files.readAllLines(Path.of("jvm.options")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        for (String f : GptRuntime.JVM_FLAGS) {
            // The javacpp caps are the service's own choice (below); every other gpt flag must be there as is.
            if (f.startsWith("-Dorg.bytedeco.javacpp.")) continue;
            assertThat(flags).as("jvm.options has gpt's %s", f).contains(f);
        }
        assertThat(flags).contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=3500M", "-Xmx1g");
        String k8s = Files.readString(Path.of("../k8s/trainer-service.yaml"));
        assertThat(k8s)
                .as("the pod's memory limit is above the resident-size cap")
                .contains("limits: {memory: 4Gi}");
        // The tests run with the same flags (pom.xml's trainer.jvm.flags), which this JVM shows.
        List<String> args =
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertThat(args)
                .containsAll(flags.stream()
                        .filter(f -> !f.startsWith("--add-modules"))
                        .toList());
    }
}
