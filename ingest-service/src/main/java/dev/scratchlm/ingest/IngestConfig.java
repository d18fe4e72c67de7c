package dev.scratchlm.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code ingest.*} settings (defaults and comments in application.properties). */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {
    /** yyyy-MM-dd, or "none". */
    String cutoff();

    /** accept or reject. */
    String undated();

    /** The default language allow-list (ISO 639-1). */
    List<String> languages();

    Language language();

    Quality quality();

    Minhash minhash();

    /** Records per task: the unit of work replicas share. */
    int taskRecords();

    /** How long a request that adds a source waits for its planning; after that it answers "planning". */
    @WithDefault("10s")
    Duration planWait();

    /** Server-side sources must lie inside one of these. */
    List<String> allowedDirs();

    int maxDocumentBytes();

    long maxDecompressedBytes();

    double maxCompressionRatio();

    /** The catalog's PostgreSQL schema (the one Flyway migrates). */
    @WithDefault("ingest")
    String schema();

    Workers workers();

    Instructions instructions();

    interface Instructions {
        /** Largest instruction file accepted in one request. */
        @WithDefault("67108864")
        long maxBytes();
    }

    interface Language {
        /** Candidate languages for identification (at least two). */
        List<String> detect();

        int sampleChars();

        boolean lowAccuracy();

        /** Lingua's own detector decides when the runner-up's confidence is within this of the best (1: always). */
        double fastMargin();
    }

    interface Quality {
        int minWords();

        int maxWords();

        double minMeanWordLength();

        double maxMeanWordLength();

        double maxSymbolWordRatio();

        double minPunctuatedLineShare();

        double maxDuplicateLineShare();
    }

    interface Minhash {
        int bands();

        int rows();

        long seed();
    }

    interface Workers {
        /** Task consumers in this process (0: this replica only plans and answers). */
        int count();

        String group();

        String tasksTopic();

        /** Stable id of this replica (transactional ids derive from it); default: host name and process id. */
        Optional<String> id();

        int transactionTimeoutMs();
    }
}
