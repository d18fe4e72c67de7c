package dev.scratchlm.trainer;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.BackgroundLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Imported models ({@code ./scratchlm import}, stage {@code imported}) from the checkpoints topic into this trainer's
 * registry and volume, so a job can name one as its parent and fine-tune it. The trainer's own checkpoints are already
 * registered: their chunks are skipped unread. The topic is read from its beginning at every start (as the chat
 * does): an import that arrived while the trainer was down is found. A failure (broker, database, disk) ends the
 * session and the next one reads from the beginning again with a fresh spool, so no chunk read before it is lost.
 */
final class ImportedCheckpoints {
    private static final Logger LOG = Logger.getLogger(ImportedCheckpoints.class);
    static final String STAGE = "imported";

    private final String bootstrap;
    private final CheckpointRepository checkpoints;
    private final Function<String, Path> checkpointFile;
    private final Path spool;
    private final BackgroundLoop loop = new BackgroundLoop("imported-checkpoints", this::session);
    /** Checkpoint ids decided already (registered here, or not an import): their records are skipped. */
    private final Set<String> decided = new HashSet<>();

    ImportedCheckpoints(
            String bootstrap, CheckpointRepository checkpoints, Function<String, Path> checkpointFile, Path spool) {
        this.bootstrap = bootstrap;
        this.checkpoints = checkpoints;
        this.checkpointFile = checkpointFile;
        this.spool = spool;
    }

    BackgroundLoop loop() {
        return loop;
    }

    void start() {
        loop.start();
    }

    void close() {
        loop.stop(Duration.ofSeconds(10));
    }

    private void session(BackgroundLoop loop) throws IOException {
        Path dir = spool.resolve(UUID.randomUUID().toString());
        ChunkAssembler assembler = new ChunkAssembler(dir);
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "trainer-imports"))) {
            loop.onWakeup(c::wakeup);
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(Topics.CHECKPOINTS))
                parts.add(new TopicPartition(p.topic(), p.partition()));
            c.assign(parts);
            c.seekToBeginning(parts);
            while (loop.running()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) accept(assembler, r);
                loop.clearError();
            }
        } catch (WakeupException e) {
            if (loop.running()) throw e;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private void accept(ChunkAssembler assembler, ConsumerRecord<String, byte[]> r) {
        String id = r.key();
        if (id == null || r.value() == null || decided.contains(id)) return;
        if (checkpoints.find(id).isPresent()) {
            decided.add(id);
            return;
        }
        ChunkAssembler.Outcome o = assembler.accept(r);
        switch (o.status()) {
            case COMPLETE -> register(Json.read(o.manifestJson(), CheckpointManifest.class), o.blob());
            case REJECTED -> LOG.warnf("checkpoint %s from the topic is not usable: %s", id, o.reason());
            default -> {}
        }
    }

    private void register(CheckpointManifest m, Path blob) {
        try {
            if (!STAGE.equals(m.stage())) {
                // Another trainer's checkpoint (a volume this one cannot see): not an import, so not adopted.
                Files.deleteIfExists(blob);
                decided.add(m.checkpointId());
                return;
            }
            Path file = checkpointFile.apply(m.checkpointId());
            Files.createDirectories(file.getParent());
            Files.move(blob, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            checkpoints.registerPublished(new CheckpointRepository.CheckpointRow(
                    m.checkpointId(),
                    null,
                    m.stage(),
                    (int) m.step(),
                    null,
                    null,
                    m.tokenizerId(),
                    m.parentId(),
                    m.sha256(),
                    m.sizeBytes(),
                    m.chunkCount(),
                    file.toAbsolutePath().toString(),
                    Json.string(m),
                    null,
                    null));
            decided.add(m.checkpointId());
            LOG.infof(
                    "imported checkpoint %s (tokenizer %s) registered: jobs can fine-tune it",
                    m.checkpointId(), m.tokenizerId());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
