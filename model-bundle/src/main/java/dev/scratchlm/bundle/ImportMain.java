package dev.scratchlm.bundle;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.GptConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code ./scratchlm import DIR}: reads a GPT-2-layout model directory ({@link ModelBundle#read}) and publishes its
 * tokenizer on {@code tokenizers} and the model as a checkpoint (chunks, then the manifest) on {@code checkpoints},
 * the way the trainer publishes its own, so the chat loads and serves it under its id and the alias
 * {@code imported}. Everything is validated before anything is sent.
 */
public final class ImportMain {
    private ImportMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ImportMain MODEL_DIR   (KAFKA_BOOTSTRAP_SERVERS names the broker)");
            System.exit(2);
        }
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        try {
            CheckpointManifest m = publish(Path.of(args[0]), bootstrap);
            System.out.println("imported " + m.checkpointId() + " (tokenizer " + m.tokenizerId() + ", " + m.sizeBytes()
                    + " bytes)");
        } catch (IOException e) {
            System.err.println("import refused: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Reads, validates and publishes {@code dir}; returns the manifest sent. */
    public static CheckpointManifest publish(Path dir, String bootstrap) throws IOException {
        ModelBundle.Imported imported =
                ModelBundle.read(dir, Map.of("importedFrom", dir.getFileName().toString()));
        Path blob = Files.createTempFile("scratchlm-import", ".ckpt");
        try (Producer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            try (OutputStream out = Files.newOutputStream(blob)) {
                imported.checkpoint().write(out);
            }
            TokenizerRecord tok = tokenizerRecord(imported.tokenizer());
            producer.send(new ProducerRecord<>(Topics.TOKENIZERS, tok.id(), Json.bytes(tok)))
                    .get(30, TimeUnit.SECONDS);
            String id = "import-" + Chunks.hex(sha256(blob)).substring(0, 12);
            CheckpointManifest[] sent = new CheckpointManifest[1];
            Chunks.publish(
                    producer, Topics.CHECKPOINTS, id, blob, s -> sent[0] = manifest(id, imported.checkpoint(), s));
            return sent[0];
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not publish the tokenizer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(blob);
        }
    }

    static TokenizerRecord tokenizerRecord(Tokenizer t) {
        return new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                t.id(),
                t.vocabSize(),
                t.patternName(),
                t.numberPolicy().id(),
                new LinkedHashMap<>(t.specialTokens()),
                ScratchFormat.toText(t),
                Map.of("source", "import"),
                Instant.now());
    }

    static CheckpointManifest manifest(String id, Checkpoint c, Chunks.BlobSummary s) {
        GptConfig g = c.config();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("vocabSize", g.vocabSize());
        model.put("blockSize", g.blockSize());
        model.put("nLayer", g.nLayer());
        model.put("nHead", g.nHead());
        model.put("nEmbd", g.nEmbd());
        model.put("parameters", (long) c.weights().length);
        return new CheckpointManifest(
                CheckpointManifest.SCHEMA,
                id,
                "imported",
                0,
                null,
                c.tokenizerId(),
                model,
                c.metadata(),
                Map.of(),
                s.sizeBytes(),
                s.chunkCount(),
                s.sha256(),
                Instant.now());
    }

    private static byte[] sha256(Path f) throws IOException {
        var md = Chunks.sha256();
        try (var in = Files.newInputStream(f)) {
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) md.update(b, 0, n);
        }
        return md.digest();
    }
}
