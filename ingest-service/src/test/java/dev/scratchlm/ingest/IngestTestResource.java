package dev.scratchlm.ingest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A throw-away directory the service may read sources from, and small tasks so that sources split. */
public class IngestTestResource implements QuarkusTestResourceLifecycleManager {
    private static Path dir;

    public static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("ingest-sources").toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "ingest.allowed-dirs",
                dir().toString(),
                "ingest.task-records",
                "20",
                "quarkus.log.category.\"org.apache.kafka\".level",
                "WARN");
    }

    @Override
    public void stop() {}
}
