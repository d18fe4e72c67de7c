package dev.scratchlm.chat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.gpt.GptRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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

/**
 * Reads {@code tokenizers} and {@code checkpoints} from the beginning on every start (no consumer group offsets:
 * each replica needs all of them) and feeds the registry. Checkpoint chunks go through the {@link ChunkAssembler},
 * which hands out only complete blobs whose SHA-256 matches the manifest.
 *
 * <p>While replaying history, verified checkpoints are only collected; once caught up, the newest of each stage
 * (and then the newest others, up to the cap) are loaded, so a long history does not load every old model.
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

    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean caughtUp, running;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        // Pinned: a decode step's small products gain nothing from more threads, and pools must not fight over cores.
        GptRuntime.configureThreads(blasThreads);
        KafkaSettings.ensureTopics(bootstrap, Topics.ALL);
        running = true;
        thread = new Thread(this::loop, "checkpoint-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
    }

    /** True once the topics' history (as of start-up) has been read: the models it implies are loaded. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean running() {
        return thread != null && thread.isAlive();
    }

    private void loop() {
        ChunkAssembler assembler = new ChunkAssembler(Path.of(stateDir, "spool", UUID.randomUUID().toString()));
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "chat-service"))) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TOKENIZERS, Topics.CHECKPOINTS)) {
                for (PartitionInfo p : c.partitionsFor(topic)) partitions.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions));
            List<Complete> replayed = new ArrayList<>();
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(caughtUp ? 500 : 100));
                    for (ConsumerRecord<String, byte[]> r : records) {
                        if (r.topic().equals(Topics.TOKENIZERS)) tokenizer(r);
                        else checkpoint(assembler, r, replayed);
                    }
                    if (!caughtUp && reached(c, end)) {
                        loadReplayed(replayed);
                        caughtUp = true;
                        LOG.info("checkpoint history read: " + registry.status());
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // A broker hiccup must not stop model updates for the life of the process: log, back off, go on.
                    LOG.log(Level.WARNING, "reading checkpoints failed; retrying", e);
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "checkpoint consumer stopped", e);
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
            case PENDING -> { }
            case REJECTED -> registry.checkpointRejected(o.key(), o.reason());
            case COMPLETE -> {
                CheckpointManifest m = Json.read(o.manifestJson(), CheckpointManifest.class);
                if (m.checkpointId() == null || !m.checkpointId().equals(o.key())) {
                    registry.checkpointRejected(o.key(), "manifest names checkpoint " + m.checkpointId()
                            + " but the record key is " + o.key());
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
        List<Complete> unique = replayed.stream().filter(c -> latest.get(c.manifest().checkpointId()) == c).toList();
        Set<String> chosen = new HashSet<>();
        Set<String> stages = new HashSet<>();
        for (int i = unique.size() - 1; i >= 0; i--) {
            CheckpointManifest m = unique.get(i).manifest();
            if (stages.add(String.valueOf(m.stage()))) chosen.add(m.checkpointId());
        }
        for (int i = unique.size() - 1; i >= 0 && chosen.size() < maxLoaded; i--) {
            chosen.add(unique.get(i).manifest().checkpointId());
        }
        for (Complete c : unique) registry.checkpointArrived(c.manifest(), c.blob(), chosen.contains(c.manifest().checkpointId()));
    }
}
