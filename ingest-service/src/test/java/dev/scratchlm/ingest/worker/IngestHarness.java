package dev.scratchlm.ingest.worker;

import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.RejectedDocument;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStack;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.source.ReadLimits;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.service.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The ingest machinery without Quarkus, against a real broker and database: its own catalog schema, tasks topic and
 * consumer group, so tests (and the benchmark) can run several workers in one JVM beside anything else.
 */
public final class IngestHarness implements AutoCloseable {
    public static final ReadLimits LIMITS = new ReadLimits(500_000, 1L << 32, 100);

    public final String bootstrap;
    public final String schema;
    public final String tasksTopic;
    public final String group;
    public final CatalogRepository catalog;
    public final Pipeline pipeline;
    public final TaskProcessor processor;
    public final SourcePlanner planner;
    public final StepCounts catalogStats = new StepCounts("catalog", "PostgreSQL decision transaction");
    public final StepCounts publishStats = new StepCounts("publish", "Kafka transaction");
    private final TaskPublisher publisher;
    private final List<TaskWorker> workers = new ArrayList<>();

    public IngestHarness(
            String bootstrap,
            String jdbcUrl,
            String user,
            String password,
            Pipeline pipeline,
            int taskRecords,
            List<Path> allowedDirs) {
        this(bootstrap, jdbcUrl, user, password, pipeline, taskRecords, allowedDirs, Duration.ofSeconds(60));
    }

    /**
     * A harness on the tests' shared broker and database that may read the Europarl jar's folder.
     *
     * @param planWait how long adding a source waits for its planning (zero: always answers "planning")
     */
    public static IngestHarness onSharedStack(Pipeline pipeline, int taskRecords, Duration planWait) {
        DevStack stack = SharedDevStack.get();
        return new IngestHarness(
                stack.bootstrapServers(),
                stack.jdbcUrl(),
                stack.user(),
                stack.password(),
                pipeline,
                taskRecords,
                List.of(TestData.europarlJar().getParent()),
                planWait);
    }

    /** @param planWait how long adding a source waits for its planning (zero: always answers "planning") */
    public IngestHarness(
            String bootstrap,
            String jdbcUrl,
            String user,
            String password,
            Pipeline pipeline,
            int taskRecords,
            List<Path> allowedDirs,
            Duration planWait) {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.bootstrap = bootstrap;
        this.schema = "ingest_" + tag;
        this.tasksTopic = "ingest.tasks." + tag;
        this.group = "ingest-" + tag;
        Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .schemas(schema)
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        ds.setUser(user);
        ds.setPassword(password);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                            new NewTopic(
                                    tasksTopic, Topics.spec(Topics.INGEST_TASKS).partitions(), (short) 1),
                            new NewTopic(Topics.deadLetter(tasksTopic), 1, (short) 1)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + tasksTopic, e);
        }
        this.catalog = new CatalogRepository(ds, schema);
        this.pipeline = pipeline;
        this.processor = new TaskProcessor(new Readers(LIMITS, catalog), pipeline);
        this.publisher = new TaskPublisher(bootstrap, tasksTopic);
        this.planner = new SourcePlanner(
                new SourcePlanner.Defaults(
                        LocalDate.of(2010, 12, 31),
                        "accept",
                        PipelineSettings.defaults().detectLanguages(),
                        Set.copyOf(PipelineSettings.defaults().detectLanguages()),
                        taskRecords,
                        allowedDirs,
                        planWait),
                LIMITS,
                catalog,
                publisher);
    }

    /** A worker in this harness's group; give two workers the same id only to model a restart of one replica. */
    public TaskWorker worker(String workerId) {
        return worker(workerId, TaskWorker.RETRY);
    }

    /** A worker that gives a failing task up after {@code retry}'s attempts. */
    public TaskWorker worker(String workerId, Backoff retry) {
        return new TaskWorker(
                new TaskWorker.Settings(
                        bootstrap, group, tasksTopic, workerId + "-" + schema, 30_000, planner::mayRead, retry),
                processor,
                catalog,
                catalogStats,
                publishStats);
    }

    public TaskWorker start(TaskWorker worker) {
        worker.start();
        workers.add(worker);
        return worker;
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /**
     * What a source put on the two topics, as read_committed consumers see it, in arrival order: document keys, and
     * rejections as "key|uri" (two records with the same text are two rejections with the same key).
     */
    public record Published(
            List<String> documentKeys,
            List<String> rejectedKeys,
            Map<String, Long> rejectedByFilter,
            List<Document> documents) {}

    /**
     * Reads documents and documents.rejected from the start until the source's records reach {@code expected}, then
     * keeps reading for {@code settle} so that any duplicate arriving late would be seen too.
     */
    public static Published published(
            String bootstrap, String sourceId, long expected, Duration timeout, Duration settle) {
        Properties p = KafkaSettings.consumer(bootstrap, "verify-" + UUID.randomUUID());
        List<String> docKeys = new ArrayList<>(), rejKeys = new ArrayList<>();
        List<Document> docs = new ArrayList<>();
        Map<String, Long> byFilter = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(Topics.DOCUMENTS, Topics.DOCUMENTS_REJECTED));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topics.DOCUMENTS)) {
                        Document d = Json.read(r.value(), Document.class);
                        if (!sourceId.equals(d.sourceId())) continue;
                        docKeys.add(r.key());
                        docs.add(d);
                    } else {
                        RejectedDocument d = Json.read(r.value(), RejectedDocument.class);
                        if (!sourceId.equals(d.sourceId())) continue;
                        rejKeys.add(r.key() + "|" + d.uri());
                        byFilter.merge(d.filter(), 1L, Long::sum);
                    }
                }
                if (settleUntil == Long.MAX_VALUE && docKeys.size() + rejKeys.size() >= expected) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return new Published(docKeys, rejKeys, byFilter, docs);
    }

    public List<StepCounts> stages() {
        List<StepCounts> all = new ArrayList<>();
        all.add(processor.readStats());
        all.addAll(pipeline.stats());
        all.add(catalogStats);
        all.add(publishStats);
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        workers.forEach(TaskWorker::stop);
        planner.close();
        publisher.close();
    }
}
