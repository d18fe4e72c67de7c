package dev.scratchlm.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the code says about each service: its port and every setting name it reads. */
final class Repo {
    static final Path ROOT =
            Path.of(System.getProperty("scratchlm.root", "..")).toAbsolutePath().normalize();
    /** Library modules whose code runs inside a service that depends on them. */
    static final List<String> LIBRARIES = List.of("contracts", "bpe", "instruct", "gpt");
    /** Settings of the JVM and native libraries rather than of our code. */
    static final Set<String> NATIVE_SETTINGS = Set.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "JAVA_OPTS");

    private Repo() {}

    /** Every service module: a folder named *-service with a Quarkus application.properties. */
    static List<String> services() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> d.getFileName().toString().endsWith("-service"))
                    .filter(d -> Files.exists(d.resolve("src/main/resources/application.properties")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties properties(String module) {
        Properties p = new Properties();
        try (var in =
                Files.newBufferedReader(ROOT.resolve(module).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static int port(String module) {
        String value = properties(module).getProperty("quarkus.http.port");
        if (value == null) throw new AssertionError(module + " does not set quarkus.http.port");
        Matcher m = Pattern.compile("^\\$\\{[A-Z_]+:(\\d+)}$").matcher(value.trim());
        return Integer.parseInt(m.matches() ? m.group(1) : value.trim());
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean dependsOn(String module, String artifactId) {
        return read(ROOT.resolve(module).resolve("pom.xml")).contains("<artifactId>" + artifactId + "</artifactId>");
    }

    /**
     * Every environment variable a module reads: {@code ${NAME}} references in application.properties, the
     * environment form of every property it sets (Quarkus maps QUARKUS_HTTP_PORT to quarkus.http.port), and names
     * its Java code (or a library it depends on) passes to System.getenv.
     */
    static Set<String> settings(String module) {
        Set<String> names = new HashSet<>();
        String props = read(ROOT.resolve(module).resolve("src/main/resources/application.properties"));
        Matcher ref = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(props);
        while (ref.find()) names.add(ref.group(1));
        for (String key : properties(module).stringPropertyNames()) {
            String plain = key.replaceFirst("^%[a-z]+\\.", "");
            names.add(plain.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
        }
        javaEnvNames(ROOT.resolve(module), names);
        for (String lib : LIBRARIES) {
            if (dependsOn(module, lib)) javaEnvNames(ROOT.resolve(lib), names);
        }
        if (dependsOn(module, "gpt")) names.addAll(NATIVE_SETTINGS);
        names.add("JAVA_OPTS");
        return names;
    }

    private static void javaEnvNames(Path module, Set<String> into) {
        Path src = module.resolve("src/main/java");
        if (!Files.isDirectory(src)) return;
        Pattern getenv = Pattern.compile(
                "getenv\\(\\)\\s*\\.\\s*get(?:OrDefault)?\\(\\s*\"([A-Z0-9_]+)\"|getenv\\(\\s*\"([A-Z0-9_]+)\"");
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                Matcher m = getenv.matcher(read(f));
                while (m.find()) into.add(m.group(1) != null ? m.group(1) : m.group(2));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(read(ROOT.resolve("pom.xml")));
        if (!m.find()) throw new AssertionError("parent pom has no property " + name);
        return m.group(1).trim();
    }
}
