package dev.scratchlm.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a Node.js script from {@code e2e/} (a real Chromium through playwright-core, or the official openai client)
 * against a service a test started, and fails the test with the script's output when the script fails.
 *
 * <p>When node, the npm packages or Chromium are missing the test is skipped locally, but fails under CI
 * ({@code CI=true}): there {@code scripts/install-test-deps.sh} must have installed them.
 */
public final class E2eScripts {
    private E2eScripts() {}

    public static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("e2e/package.json"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no e2e/package.json above " + System.getProperty("user.dir"));
        return dir;
    }

    /** @param needsBrowser whether the script drives Chromium */
    public static String run(String script, Map<String, String> env, boolean needsBrowser, Duration timeout) {
        Path root = repoRoot();
        Path e2e = root.resolve("e2e");
        List<String> missing = new ArrayList<>();
        if (!onPath("node")) missing.add("node");
        if (!Files.isDirectory(e2e.resolve("node_modules/playwright-core"))
                || !Files.isDirectory(e2e.resolve("node_modules/openai"))) missing.add("the npm packages in e2e/");
        if (needsBrowser
                && !Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium")))) {
            missing.add("chromium");
        }
        if (!missing.isEmpty()) {
            String why = String.join(", ", missing) + " missing: run scripts/install-test-deps.sh";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(why);
            Assumptions.abort(why);
        }
        try {
            Path log = Files.createTempFile("scratchlm-e2e", ".log");
            ProcessBuilder pb = new ProcessBuilder("node", script)
                    .directory(e2e.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) p.destroyForcibly().waitFor();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (!finished) throw new AssertionError(script + " did not finish in " + timeout + ":\n" + output);
            if (p.exitValue() != 0) throw new AssertionError(script + " failed:\n" + output);
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }
}
