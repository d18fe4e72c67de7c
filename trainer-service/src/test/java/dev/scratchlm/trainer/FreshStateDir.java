package dev.scratchlm.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Gives the service under test an empty volume, so shards and checkpoints of earlier runs never leak in. */
public class FreshStateDir implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        try {
            return Map.of(
                    "scratchlm.state-dir",
                    Files.createTempDirectory("trainer-service-test").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // left for the OS's temp cleaning: a failed test's checkpoints are worth a look
    }
}
