package dev.scratchlm.gpt;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the optional shared data directory: -Dscratchlm.data, else SCRATCHLM_DATA, else ../shared/data. */
final class TestData {
    private TestData() {}

    static Path dir() {
        String p = System.getProperty("scratchlm.data", System.getenv("SCRATCHLM_DATA"));
        return p != null ? Path.of(p) : Path.of("..", "..", "shared", "data");
    }

    static Path file(String name) {
        Path f = dir().resolve(name);
        return Files.isReadable(f) ? f : null;
    }
}
