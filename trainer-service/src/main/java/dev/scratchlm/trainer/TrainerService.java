package dev.scratchlm.trainer;

import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the trainer's plain classes together at start-up and takes them down at shutdown: topics, the shard store
 * on the volume, the two consumers (tokenizers, token-shards) and the job runner.
 */
@ApplicationScoped
public class TrainerService {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "scratchlm.state-dir")
    String stateDir;

    @ConfigProperty(name = "scratchlm.trainer.consumer-group")
    String group;

    @ConfigProperty(name = "scratchlm.trainer.threads")
    int threads;

    @ConfigProperty(name = "scratchlm.trainer.peak-gflops")
    Optional<Double> peakGflops;

    @ConfigProperty(name = "scratchlm.trainer.event-interval-ms")
    long eventIntervalMillis;

    @ConfigProperty(name = "scratchlm.trainer.flush-interval-ms")
    long flushIntervalMillis;

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry metrics;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth loops;

    private ShardStore store;
    private JobRepository jobs;
    private CheckpointRepository checkpoints;
    private TokenizerRepository tokenizers;
    private JobEvents events;
    private CheckpointPublisher publisher;
    private JobRunner runner;
    private JobValidator validator;
    private MemoryBudget memory;
    private ConsumerLoop shardConsumer;
    private ConsumerLoop tokenizerConsumer;
    private ConsumerLoop instructionConsumer;
    private ImportedCheckpoints imports;
    private InstructionRepository instructions;
    private RankingReader rankings;
    private double peak;
    private VolumeLock volumeLock;

    void onStart(@Observes StartupEvent event) {
        Path state = Path.of(stateDir).toAbsolutePath();
        volumeLock = VolumeLock.acquire(state);
        topics.await(Duration.ofSeconds(60));
        store = new ShardStore(state.resolve("shards"));
        jobs = new JobRepository(dataSource);
        checkpoints = new CheckpointRepository(dataSource);
        tokenizers = new TokenizerRepository(dataSource);
        events = new JobEvents();
        memory = MemoryBudget.ofThisProcess(threads);
        instructions = new InstructionRepository(dataSource);
        JobValidator.SftSource sft = new JobValidator.SftSource(tokenizers::definition, instructions);
        validator = new JobValidator(tokenizers::find, tokenizers::all, store, checkpoints::find, memory, sft);
        publisher = new CheckpointPublisher(bootstrapServers);
        peak = peakGflops.orElseGet(MachinePeak::gflops);
        // Reward and dpo jobs read the rankings topic, and render them with the tokenizer's definition.
        rankings = new RankingReader(bootstrapServers);
        validator.withPreferences(new PreferenceValidator(checkpoints::find, tokenizers::definition, rankings, memory));
        runner = new JobRunner(
                        jobs,
                        checkpoints,
                        store,
                        publisher,
                        events,
                        new JobRunner.Settings(state, peak, threads, eventIntervalMillis, flushIntervalMillis),
                        sft)
                .withPreferences(rankings, tokenizers::definition);
        instructionConsumer = InstructionConsumer.loop(bootstrapServers, group + ".instructions", instructions);
        tokenizerConsumer = TokenizerConsumer.loop(bootstrapServers, group + ".tokenizers", tokenizers);
        shardConsumer = ShardConsumer.loop(bootstrapServers, group + ".shards", store);
        imports =
                new ImportedCheckpoints(bootstrapServers, checkpoints, runner::checkpointFile, state.resolve("spool"));
        for (String outcome : new String[] {"stored", "duplicate", ConsumerLoop.REJECTED, ConsumerLoop.FAILED}) {
            metrics.more()
                    .counter(
                            "scratchlm.trainer.shards",
                            java.util.List.of(io.micrometer.core.instrument.Tag.of("outcome", outcome)),
                            shardConsumer,
                            c -> c.count(outcome));
        }
        loops.register(tokenizerConsumer);
        loops.register(shardConsumer);
        loops.register(instructionConsumer);
        loops.register(imports.loop());
        tokenizerConsumer.start();
        instructionConsumer.start();
        shardConsumer.start();
        imports.start();
        runner.start();
        LOG.infof(
                "trainer-service: state in %s, shards of %d tokenizer(s), peak %.0f GFLOP/s assumed for MFU, "
                        + "%d MB for a job's model",
                state, store.stats().size(), peak, memory.availableBytes() >> 20);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (runner != null) runner.close();
        if (shardConsumer != null) shardConsumer.close();
        if (imports != null) imports.close();
        if (tokenizerConsumer != null) tokenizerConsumer.close();
        if (instructionConsumer != null) instructionConsumer.close();
        if (publisher != null) publisher.close();
        if (store != null) store.close();
        if (volumeLock != null) volumeLock.close();
    }

    public ShardStore store() {
        return store;
    }

    public JobRepository jobs() {
        return jobs;
    }

    public CheckpointRepository checkpoints() {
        return checkpoints;
    }

    public TokenizerRepository tokenizers() {
        return tokenizers;
    }

    public InstructionRepository instructions() {
        return instructions;
    }

    RankingReader rankings() {
        return rankings;
    }

    public JobEvents events() {
        return events;
    }

    public JobRunner runner() {
        return runner;
    }

    public JobValidator validator() {
        return validator;
    }

    public MemoryBudget memory() {
        return memory;
    }

    public double peakGflops() {
        return peak;
    }

    public int threads() {
        return threads;
    }

    public boolean consumersAlive() {
        return shardConsumer != null
                && shardConsumer.alive()
                && tokenizerConsumer.alive()
                && instructionConsumer.alive();
    }
}
