package dev.scratchlm.chat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.gpt.GptRuntime;
import dev.scratchlm.service.BackgroundLoop;
import dev.scratchlm.service.Backoff;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads {@code tokenizers} and {@code checkpoints} from the beginning on every start (no consumer group offsets:
 * each replica needs all of them) and feeds the registry. Checkpoint chunks go through the {@link ChunkAssembler},
 * which hands out only complete blobs whose SHA-256 matches the manifest.
 *
 * <p>While replaying history, verified checkpoints are only collected; once caught up, the newest of each stage
 * (and then the newest others, up to the cap) are loaded, so a long history does not load every old model.
 *
 * <p>Runs on service-common's {@link BackgroundLoop}: a failed poll is retried after a growing pause (readiness shows
 * the error meanwhile), a failed session starts over with a new consumer from where the last one was, and shutdown
 * wakes the consumer out of its poll.
 */
@ApplicationScoped
public class CheckpointConsumer {
    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class.getName());

    private record Complete(CheckpointManifest manifest, Path blob) {}

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "chat.state-dir")
    String stateDir;

    @ConfigProperty(name = "chat.models.max-loaded", defaultValue = "4")
    int maxLoaded;

    @ConfigProperty(name = "chat.blas-threads", defaultValue = "1")
    int blasThreads;

    @Inject
    ModelRegistry registry;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth loops;

    private static final Backoff RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(15), Integer.MAX_VALUE);
    private final BackgroundLoop loop = new BackgroundLoop("checkpoint-consumer", this::session);
    /** Where the reading got to: a new session (after a failure) goes on from here rather than replaying history. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private final List<Complete> replayed = new ArrayList<>();
    private Map<TopicPartition, Long> end;
    private ChunkAssembler assembler;
    private volatile boolean caughtUp;

    void start(@Observes StartupEvent event) {
        // Pinned: a decode step's small products gain nothing from more threads, and pools must not fight over cores.
        GptRuntime.configureThreads(blasThreads);
        topics.await(Duration.ofSeconds(60));
        assembler =
                new ChunkAssembler(Path.of(stateDir, "spool", UUID.randomUUID().toString()));
        loops.register(loop);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.stop(Duration.ofSeconds(10));
    }

    /** True once the topics' history (as of start-up) has been read: the models it implies are loaded. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean running() {
        return loop.alive();
    }

    private void session(BackgroundLoop loop) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "chat-service"))) {
            loop.onWakeup(c::wakeup);
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TOKENIZERS, Topics.CHECKPOINTS)) {
                for (PartitionInfo p : c.partitionsFor(topic)) partitions.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long at = positions.get(tp);
                if (at == null) c.seekToBeginning(List.of(tp));
                else c.seek(tp, at);
            }
            if (end == null) end = new HashMap<>(c.endOffsets(partitions));
            int failures = 0;
            while (loop.running()) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(caughtUp ? 500 : 100));
                    for (ConsumerRecord<String, byte[]> r : records) {
                        if (r.topic().equals(Topics.TOKENIZERS)) tokenizer(r);
                        else checkpoint(assembler, r, replayed);
                        positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    }
                    if (!caughtUp && reached(c, end)) {
                        loadReplayed(replayed);
                        replayed.clear();
                        caughtUp = true;
                        LOG.info("checkpoint history read: " + registry.status());
                    }
                    failures = 0;
                    loop.clearError();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // A broker hiccup must not stop model updates for the life of the process: log, back off, go on.
                    failures++;
                    loop.failed("reading checkpoints failed: " + e.getMessage());
                    LOG.log(Level.WARNING, "reading checkpoints failed; retrying", e);
                    loop.pause(RETRY.delay(failures));
                }
            }
        } catch (WakeupException e) {
            if (loop.running()) throw e; // not from shutdown: start a new session
        }
    }

    private boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    private void tokenizer(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) return; // a compaction tombstone
        try {
            TokenizerRecord record = Json.read(r.value(), TokenizerRecord.class);
            if (record.id() == null || record.definition() == null) {
                LOG.warning("tokenizer record " + r.key() + " lacks its id or definition; ignored");
                return;
            }
            registry.tokenizerArrived(record);
        } catch (RuntimeException e) {
            LOG.warning("unreadable tokenizer record " + r.key() + ": " + e.getMessage());
        }
    }

    private void checkpoint(ChunkAssembler assembler, ConsumerRecord<String, byte[]> r, List<Complete> replayed) {
        ChunkAssembler.Outcome o = assembler.accept(r);
        switch (o.status()) {
            case PENDING -> {}
            case REJECTED -> registry.checkpointRejected(o.key(), o.reason());
            case COMPLETE -> {
                CheckpointManifest m = Json.read(o.manifestJson(), CheckpointManifest.class);
                if (m.checkpointId() == null || !m.checkpointId().equals(o.key())) {
                    registry.checkpointRejected(
                            o.key(),
                            "manifest names checkpoint " + m.checkpointId() + " but the record key is " + o.key());
                } else if (caughtUp) {
                    registry.checkpointArrived(m, o.blob(), true);
                } else {
                    replayed.add(new Complete(m, o.blob()));
                }
            }
        }
    }

    /** History in publication order; loads the newest per stage, then the newest others up to the cap. */
    private void loadReplayed(List<Complete> replayed) {
        Map<String, Complete> latest = new HashMap<>();
        for (Complete c : replayed) latest.put(c.manifest().checkpointId(), c); // a re-publication wins
        List<Complete> unique = replayed.stream()
                .filter(c -> latest.get(c.manifest().checkpointId()) == c)
                .toList();
        Set<String> chosen = new HashSet<>();
        Set<String> stages = new HashSet<>();
        for (int i = unique.size() - 1; i >= 0; i--) {
            CheckpointManifest m = unique.get(i).manifest();
            if (stages.add(String.valueOf(m.stage()))) chosen.add(m.checkpointId());
        }
        for (int i = unique.size() - 1; i >= 0 && chosen.size() < maxLoaded; i--) {
            chosen.add(unique.get(i).manifest().checkpointId());
        }
        for (Complete c : unique)
            registry.checkpointArrived(
                    c.manifest(), c.blob(), chosen.contains(c.manifest().checkpointId()));
    }
}
