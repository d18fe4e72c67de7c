package dev.scratchlm.devstack;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The Kafka broker and PostgreSQL server ScratchLM runs against, chosen in this order:
 * <ol>
 *   <li>external servers, when {@code KAFKA_BOOTSTRAP_SERVERS} / {@code POSTGRES_JDBC_URL} are set;</li>
 *   <li>Testcontainers, when a Docker engine answers, the stack is a throw-away one (no data directory) and
 *       {@code SCRATCHLM_DEVSTACK} is not {@code embedded};</li>
 *   <li>otherwise an in-process KRaft broker from the Kafka jars and an embedded PostgreSQL.</li>
 * </ol>
 * Every topic of {@link Topics#ALL} exists once {@link #start} returns.
 */
public final class DevStack implements AutoCloseable {
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.2";
    public static final String POSTGRES_IMAGE = "postgres:16-alpine";

    private final String bootstrapServers;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String kind;
    private final List<AutoCloseable> owned;

    private DevStack(
            String bootstrapServers,
            String jdbcUrl,
            String user,
            String password,
            String kind,
            List<AutoCloseable> owned) {
        this.bootstrapServers = bootstrapServers;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.kind = kind;
        this.owned = owned;
    }

    /**
     * @param kafkaPort    port for an embedded broker (0: any free port)
     * @param postgresPort port for an embedded database (0: any free port)
     * @param dataDir      where embedded servers keep their data; null for throw-away temp directories
     */
    public static DevStack start(int kafkaPort, int postgresPort, Path dataDir) throws Exception {
        Map<String, String> env = System.getenv();
        List<AutoCloseable> owned = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        // A stack with a data directory (the launcher's) must keep its data there and listen on the given ports,
        // which containers would not: it is always embedded.
        boolean docker = dataDir == null && !"embedded".equals(env.get("SCRATCHLM_DEVSTACK")) && dockerAvailable();
        Path root = dataDir != null ? dataDir : Files.createTempDirectory("scratchlm-devstack");
        if (dataDir == null) owned.add(() -> EmbeddedKafka.deleteRecursively(root));

        try {
            String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
            if (bootstrap != null && !bootstrap.isBlank()) {
                kinds.add("external Kafka");
            } else if (docker) {
                KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
                kafka.start();
                owned.add(0, kafka::stop);
                bootstrap = kafka.getBootstrapServers();
                kinds.add("Kafka container");
            } else {
                EmbeddedKafka kafka = EmbeddedKafka.start(kafkaPort, root.resolve("kafka"));
                owned.add(0, kafka);
                bootstrap = kafka.bootstrapServers();
                kinds.add("embedded Kafka (KRaft)");
            }

            String jdbc = env.get("POSTGRES_JDBC_URL");
            String user = env.getOrDefault("POSTGRES_USER", "postgres");
            String password = env.getOrDefault("POSTGRES_PASSWORD", "postgres");
            if (jdbc != null && !jdbc.isBlank()) {
                kinds.add("external PostgreSQL");
            } else if (docker) {
                PostgreSQLContainer pg = new PostgreSQLContainer(POSTGRES_IMAGE);
                pg.start();
                owned.add(0, pg::stop);
                jdbc = pg.getJdbcUrl();
                user = pg.getUsername();
                password = pg.getPassword();
                kinds.add("PostgreSQL container");
            } else {
                EmbeddedPostgresServer pg =
                        EmbeddedPostgresServer.start(postgresPort, dataDir == null ? null : root.resolve("postgres"));
                owned.add(0, pg);
                jdbc = pg.jdbcUrl();
                user = pg.user();
                password = pg.password();
                kinds.add("embedded PostgreSQL");
            }

            KafkaSettings.ensureTopics(bootstrap, Topics.ALL);
            return new DevStack(bootstrap, jdbc, user, password, String.join(" + ", kinds), owned);
        } catch (Exception | Error e) {
            closeAll(owned); // what started must not outlive a failed start (a broker without its database)
            throw e;
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }
    /** Which servers are in use, for logs: e.g. "embedded Kafka (KRaft) + embedded PostgreSQL". */
    public String kind() {
        return kind;
    }

    /** The settings a Quarkus service reads, so tests and the launcher wire services the same way. */
    public Map<String, String> quarkusConfig() {
        return Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.username", user,
                "quarkus.datasource.password", password);
    }

    @Override
    public void close() {
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("devstack: " + e.getMessage());
            }
        }
    }
}
