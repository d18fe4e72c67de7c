package dev.scratchlm.bundle;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.TopicScan;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.gpt.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./scratchlm export MODEL DIR}: reads {@code tokenizers} and {@code checkpoints} from the beginning (as the
 * chat does), takes the checkpoint MODEL names (its id, or a stage such as {@code sft} for that stage's newest) and
 * writes its {@link ModelBundle} into DIR.
 */
public final class ExportMain {
    private ExportMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ExportMain MODEL DIR   (KAFKA_BOOTSTRAP_SERVERS names the broker)");
            System.exit(2);
        }
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        try {
            CheckpointManifest m = export(args[0], Path.of(args[1]), bootstrap);
            System.out.println("exported " + m.checkpointId() + " (stage " + m.stage() + ") to " + args[1] + ": "
                    + String.join(", ", ModelBundle.files(true)));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("export failed: " + e.getMessage());
            System.exit(1);
        }
    }

    public static CheckpointManifest export(String model, Path dir, String bootstrap) throws IOException {
        Path spool = Files.createTempDirectory("scratchlm-export");
        Map<String, TokenizerRecord> tokenizers = new HashMap<>();
        List<CheckpointManifest> manifests = new ArrayList<>();
        Map<String, Path> blobs = new HashMap<>();
        try {
            ChunkAssembler assembler = new ChunkAssembler(spool);
            TopicScan.readAll(bootstrap, List.of(Topics.TOKENIZERS, Topics.CHECKPOINTS), r -> {
                if (r.topic().equals(Topics.TOKENIZERS)) {
                    TokenizerRecord t = Json.read(r.value(), TokenizerRecord.class);
                    tokenizers.put(t.id(), t);
                    return;
                }
                ChunkAssembler.Outcome o = assembler.accept(r);
                if (o.status() == ChunkAssembler.Outcome.Status.COMPLETE) {
                    CheckpointManifest m = Json.read(o.manifestJson(), CheckpointManifest.class);
                    manifests.add(m);
                    Path old = blobs.put(m.checkpointId(), o.blob());
                    if (old != null && !old.equals(o.blob())) {
                        try {
                            Files.deleteIfExists(old);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            });
            CheckpointManifest chosen = manifests.stream()
                    .filter(m -> m.checkpointId().equals(model))
                    .reduce((a, b) -> b)
                    .or(() -> manifests.stream()
                            .filter(m -> model.equals(m.stage()))
                            .max(Comparator.comparingInt(manifests::indexOf)))
                    .orElseThrow(() -> new IllegalArgumentException(
                            "no checkpoint or stage named '" + model + "' on " + Topics.CHECKPOINTS));
            TokenizerRecord tok = tokenizers.get(chosen.tokenizerId());
            if (tok == null)
                throw new IllegalArgumentException("tokenizer " + chosen.tokenizerId() + " of " + chosen.checkpointId()
                        + " is not on " + Topics.TOKENIZERS);
            Checkpoint c;
            try (InputStream in = Files.newInputStream(blobs.get(chosen.checkpointId()))) {
                c = Checkpoint.readWeightsOnly(new java.io.BufferedInputStream(in, 1 << 16));
            }
            Tokenizer tokenizer = ScratchFormat.fromText(tok.definition());
            Map<String, CheckpointManifest> byId = new HashMap<>();
            manifests.forEach(m -> byId.put(m.checkpointId(), m));
            Map<String, Object> card = ModelCard.of(
                    chosen,
                    byId::get,
                    c.config(),
                    tokenizer,
                    tok,
                    Provenance.scan(bootstrap, chosen.tokenizerId(), Provenance.trainingShards(chosen, byId::get)));
            ModelBundle.write(c, chosen.checkpointId(), tokenizer, card, dir);
            return chosen;
        } finally {
            try (var files = Files.list(spool)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(spool);
        }
    }
}
