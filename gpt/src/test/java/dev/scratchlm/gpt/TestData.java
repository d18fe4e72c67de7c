package dev.scratchlm.gpt;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the test data directory: -Dscratchlm.data, else SCRATCHLM_DATA, else the repository's testdata/. */
final class TestData {
    private TestData() {}

    static Path dir() {
        String p = System.getProperty("scratchlm.data", System.getenv("SCRATCHLM_DATA"));
        return p != null ? Path.of(p) : Path.of("..", "testdata");
    }

    static Path file(String name) {
        Path f = dir().resolve(name);
        return Files.isReadable(f) ? f : null;
    }
}
