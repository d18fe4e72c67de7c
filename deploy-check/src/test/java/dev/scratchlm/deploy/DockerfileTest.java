package dev.scratchlm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each image runs its service the way ./scratchlm does: from quarkus-app, with the module's jvm.options. */
class DockerfileTest {

    @Test
    void everyImageRunsTheQuarkusAppWithTheModulesJvmOptions() {
        for (String module : Repo.services()) {
            String dockerfile = Repo.read(Repo.ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));
            assertThat(dockerfile).as(module).contains("target/quarkus-app/").contains("quarkus-run.jar");
            Path options = Repo.ROOT.resolve(module).resolve("jvm.options");
            if (Files.exists(options)) {
                assertThat(dockerfile)
                        .as(module + " copies jvm.options into the image")
                        .containsPattern("COPY .*jvm\\.options");
                assertThat(dockerfile)
                        .as(module + " starts java with jvm.options")
                        .containsPattern("(?s)java .*jvm\\.options");
            }
            if (Repo.dependsOn(module, "gpt")) {
                assertThat(Repo.read(options))
                        .as(module + " runs the gpt kernels: it needs the Vector API module")
                        .contains("--add-modules=jdk.incubator.vector");
            }
        }
    }
}
