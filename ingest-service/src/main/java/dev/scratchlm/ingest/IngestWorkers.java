package dev.scratchlm.ingest;

import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.worker.TaskProcessor;
import dev.scratchlm.ingest.worker.TaskWorker;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts this replica's task consumers on their own threads (an explicit poll loop per worker, so the commit happens
 * exactly when the work is durable), publishes tasks a crashed planner left behind, and exposes stage counters.
 */
@ApplicationScoped
public class IngestWorkers {
    private static final Logger LOG = Logger.getLogger(IngestWorkers.class);

    @Inject
    IngestConfig config;

    @Inject
    TaskProcessor processor;

    @Inject
    CatalogRepository catalog;

    @Inject
    SourcePlanner planner;

    @Inject
    IngestBeans.Stages stages;

    @Inject
    MeterRegistry registry;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth loops;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final List<TaskWorker> workers = new ArrayList<>();
    private volatile boolean stopping;
    private Thread republisher;

    void start(@Observes StartupEvent event) {
        topics.await(Duration.ofSeconds(60));
        for (StepCounts s : allStages()) register(s);
        String base = config.workers().id().filter(s -> !s.isBlank()).orElseGet(IngestWorkers::defaultId);
        for (int i = 0; i < config.workers().count(); i++) {
            TaskWorker w = new TaskWorker(
                    new TaskWorker.Settings(
                            bootstrap,
                            config.workers().group(),
                            config.workers().tasksTopic(),
                            base + "-" + i,
                            config.workers().transactionTimeoutMs(),
                            planner::mayRead),
                    processor,
                    catalog,
                    stages.catalog(),
                    stages.publish());
            workers.add(w);
            loops.register(w.loop());
            w.start();
        }
        LOG.infof(
                "ingest: %d task worker(s) as %s in group %s",
                workers.size(), base, config.workers().group());
        // Sources stored while the broker was away (or by a replica that died mid-publish) get their tasks out.
        Thread republisher = new Thread(
                () -> {
                    int minAge = 0; // at start-up every pending source; later only those no request is still publishing
                    while (!stopping) {
                        try {
                            planner.republishPending(minAge);
                        } catch (RuntimeException e) {
                            LOG.warnf("could not publish pending tasks yet: %s", e.getMessage());
                        }
                        minAge = 60;
                        try {
                            Thread.sleep(15_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "ingest-republisher");
        republisher.setDaemon(true);
        republisher.start();
        this.republisher = republisher;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (republisher != null) republisher.interrupt();
        workers.forEach(TaskWorker::stop);
    }

    /** Every stage in order: read, the pipeline's steps, the catalog transaction, publishing. */
    public List<StepCounts> allStages() {
        List<StepCounts> all = new ArrayList<>();
        all.add(processor.readStats());
        all.addAll(processor.pipeline().stats());
        all.add(stages.catalog());
        all.add(stages.publish());
        return all;
    }

    public List<TaskWorker> workers() {
        return List.copyOf(workers);
    }

    /** How many task-worker threads run (they only end on shutdown, or when fenced by a newer worker with their id). */
    public long aliveWorkers() {
        return workers.stream().filter(TaskWorker::alive).count();
    }

    public int configuredWorkers() {
        return config.workers().count();
    }

    private void register(StepCounts s) {
        FunctionCounter.builder("ingest.step.documents", s, StepCounts::docs)
                .tag("step", s.name())
                .description("documents that entered the step")
                .register(registry);
        FunctionCounter.builder("ingest.step.bytes", s, StepCounts::bytes)
                .tag("step", s.name())
                .baseUnit("bytes")
                .description("input bytes of the documents that entered the step")
                .register(registry);
        FunctionCounter.builder("ingest.step.seconds", s, StepCounts::seconds)
                .tag("step", s.name())
                .baseUnit("seconds")
                .description("time spent in the step")
                .register(registry);
        FunctionCounter.builder("ingest.step.rejected", s, StepCounts::rejected)
                .tag("step", s.name())
                .description("documents the step rejected")
                .register(registry);
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "ingest";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
