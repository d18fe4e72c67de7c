package dev.scratchlm.instruct;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The E2E development set kept under testdata/ (see testdata/README.md). */
final class TestData {
    private TestData() {}

    static Path e2eDevsetPath() {
        String dir =
                System.getProperty("scratchlm.data", System.getenv().getOrDefault("SCRATCHLM_DATA", "../testdata"));
        return Path.of(dir, "e2e", "devset.csv");
    }

    static List<E2e.Row> e2eDevset() throws Exception {
        try (Reader r = Files.newBufferedReader(e2eDevsetPath(), StandardCharsets.UTF_8)) {
            return E2e.readCsv(r);
        }
    }
}
