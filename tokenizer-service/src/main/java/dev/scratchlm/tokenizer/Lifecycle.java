package dev.scratchlm.tokenizer;

import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Start-up: make sure the topics exist (retrying while the broker is not there yet), then start the consumer loops:
 * the document sampler, the shard statistics and the active tokenizer's shard worker. Ready once they run.
 */
@ApplicationScoped
@Readiness
public class Lifecycle implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    @Inject
    DocumentSampler sampler;

    @Inject
    ShardStatsCollector stats;

    @Inject
    ShardWorkers workers;

    @Inject
    ReferenceTokenizers references;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth loops;

    private volatile boolean started;
    private volatile boolean stopping;
    private volatile String problem = "starting";
    private Thread starter;

    void onStart(@Observes StartupEvent event) {
        starter = new Thread(this::startLoops, "tokenizer-startup");
        starter.setDaemon(true);
        starter.start();
        Thread preload = new Thread(
                () -> {
                    try {
                        references.preload();
                    } catch (RuntimeException e) {
                        LOG.warnf("reference tokenizers unavailable: %s", e.getMessage());
                    }
                },
                "reference-tokenizers");
        preload.setDaemon(true);
        preload.start();
    }

    private void startLoops() {
        // The service comes up without the broker; readiness (TopicSetup's check) says why until the topics exist.
        try {
            topics.await(Duration.ofDays(365));
        } catch (IllegalStateException e) {
            problem = e.getMessage();
            return; // stopping
        }
        if (stopping) return;
        sampler.start();
        stats.start();
        loops.register(sampler.loop());
        loops.register(stats.loop());
        workers.start();
        problem = null;
        started = true;
        LOG.info("tokenizer-service loops started");
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (starter != null) starter.interrupt();
        workers.stop();
        stats.stop();
        sampler.stop();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka-loops")
                .status(started)
                .withData("detail", started ? "topics exist, consumer loops running" : String.valueOf(problem))
                .build();
    }
}
