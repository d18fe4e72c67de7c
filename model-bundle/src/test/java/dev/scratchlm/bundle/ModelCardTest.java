package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.RejectedDocument;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.SharedDevStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported card answers the openness list from the lineage: the data's sources with their selection rules,
 * what their filters kept and refused, and how many of their documents the model trained on (read from the real
 * topics), the tokenizer, the architecture, and every training stage with its hyperparameters and metrics.
 */
class ModelCardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theExportedCardNamesTheSourcesSelectionAndEveryStage(@TempDir Path dir) throws Exception {
        ModelBundleTest.trainTokenizerAndModel();
        String bootstrap = SharedDevStack.get().bootstrapServers();
        KafkaSettings.ensureTopics(bootstrap, Topics.ALL);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String src = "src-" + run, other = "other-" + run, tok = "tok-" + run;
        LocalDate cutoff = LocalDate.parse("2005-12-31");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            for (int t = 0; t < 2; t++) {
                send(
                        p,
                        Topics.INGEST_TASKS,
                        new IngestTask(
                                IngestTask.SCHEMA,
                                src + "-t" + t,
                                src,
                                "europarl",
                                "europarl",
                                "/data/ep.jar",
                                "ep.txt",
                                "ep-" + t + ".txt",
                                0,
                                10,
                                cutoff,
                                "reject",
                                List.of("en"),
                                "Europarl: free for any use",
                                Instant.now(),
                                null));
            }
            send(p, Topics.DOCUMENTS, doc("d1-" + run, src, "2001-05-02"));
            send(p, Topics.DOCUMENTS, doc("d1-" + run, src, "2001-05-02")); // a replayed task sends it again
            send(p, Topics.DOCUMENTS, doc("d2-" + run, src, "2004-11-30"));
            send(p, Topics.DOCUMENTS, doc("d3-" + run, src, "1999-01-10")); // kept, but in the val split
            send(
                    p,
                    Topics.DOCUMENTS,
                    doc("d4-" + run, other, "2003-03-03")); // another source, not in this model's shards
            for (String id : List.of("r1", "r2")) {
                send(
                        p,
                        Topics.DOCUMENTS_REJECTED,
                        new RejectedDocument(
                                RejectedDocument.SCHEMA,
                                id + run,
                                src,
                                "ep-0.txt",
                                "language",
                                "language de, not in [en]",
                                "de",
                                null,
                                Instant.now()));
            }
            send(
                    p,
                    Topics.DOCUMENTS_REJECTED,
                    new RejectedDocument(
                            RejectedDocument.SCHEMA,
                            "r3" + run,
                            src,
                            "ep-1.txt",
                            "cutoff",
                            "dated 2007-01-01, after the cutoff 2005-12-31",
                            "en",
                            LocalDate.parse("2007-01-01"),
                            Instant.now()));
            p.send(new ProducerRecord<>(
                            Topics.TOKEN_SHARDS,
                            "s1",
                            new TokenShard(
                                            TokenShard.SCHEMA,
                                            "shard-1-" + run,
                                            tok,
                                            TokenShard.TRAIN,
                                            List.of("d1-" + run, "d2-" + run),
                                            3,
                                            2,
                                            new int[] {1, 2, 3})
                                    .encode()))
                    .get(30, TimeUnit.SECONDS);
            p.send(new ProducerRecord<>(
                            Topics.TOKEN_SHARDS,
                            "s2",
                            new TokenShard(
                                            TokenShard.SCHEMA,
                                            "shard-2-" + run,
                                            tok,
                                            TokenShard.VAL,
                                            List.of("d3-" + run),
                                            2,
                                            2,
                                            new int[] {1, 2})
                                    .encode()))
                    .get(30, TimeUnit.SECONDS);
            // A training shard of the same tokenizer that this checkpoint did not train on.
            p.send(new ProducerRecord<>(
                            Topics.TOKEN_SHARDS,
                            "s3",
                            new TokenShard(
                                            TokenShard.SCHEMA,
                                            "shard-3-" + run,
                                            tok,
                                            TokenShard.TRAIN,
                                            List.of("d4-" + run),
                                            2,
                                            2,
                                            new int[] {4, 5})
                                    .encode()))
                    .get(30, TimeUnit.SECONDS);
        }

        Map<String, Object> preLineage = new LinkedHashMap<>();
        preLineage.put("documents", 2);
        preLineage.put("tokens", 3);
        preLineage.put("knowledgeCutoff", "2004-11-30");
        preLineage.put("shards", Map.of("shard-1-" + run, Map.of("documents", 2, "tokens", 3)));
        preLineage.put("hyperparameters", Map.of("steps", 2000, "lr", 0.001));
        CheckpointManifest pre = manifest("pre-" + run, "pretrain", null, tok, preLineage, Map.of("valLoss", 4.2));
        Map<String, Object> sftLineage = Map.of(
                "instructionSets",
                Map.of("e2e", Map.of("train", 100)),
                "trainExamples",
                100,
                "hyperparameters",
                Map.of("steps", 300, "lr", 3e-4));
        CheckpointManifest sft = manifest(
                "sft-" + run, "sft", pre.checkpointId(), tok, sftLineage, Map.of("slotError", 0.165, "bleu", 0.691));
        Map<String, CheckpointManifest> known = Map.of(pre.checkpointId(), pre, sft.checkpointId(), sft);

        Provenance data = Provenance.scan(bootstrap, tok, Provenance.trainingShards(sft, known::get));
        TokenizerRecord tr = new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                tok,
                ModelBundleTest.tokenizer.vocabSize(),
                "gpt2",
                "groups-of-3",
                ModelBundleTest.tokenizer.specialTokens(),
                "",
                Map.of("documents", 40, "validation", Map.of("bytesPerToken", 3.9)),
                Instant.now());
        Map<String, Object> card =
                ModelCard.of(sft, known::get, ModelBundleTest.checkpoint.config(), ModelBundleTest.tokenizer, tr, data);
        ModelBundle.write(ModelBundleTest.checkpoint, sft.checkpointId(), ModelBundleTest.tokenizer, card, dir);

        JsonNode c = JSON.readTree(dir.resolve(ModelCard.JSON_FILE).toFile());
        JsonNode sources = c.at("/data/sources");
        assertEquals(1, sources.size(), "only the source this model's shards came from: " + sources);
        JsonNode s = sources.get(0);
        assertEquals(src, s.get("id").asText());
        assertEquals("2005-12-31", s.at("/selection/knowledgeCutoff").asText());
        assertEquals("en", s.at("/selection/languages/0").asText());
        assertEquals(3, s.get("documentsKept").asInt(), "a replayed document counts once");
        assertEquals(
                2, s.get("trainingDocuments").asInt(), "the val document and the other shard's are not training data");
        assertEquals(2, s.at("/rejectedByFilter/language").asInt());
        assertEquals(1, s.at("/rejectedByFilter/cutoff").asInt());
        assertEquals(3, s.get("documentsRejected").asInt());
        assertEquals("1999-01-10", s.at("/dates/earliest").asText());
        assertEquals(List.of("ep-0.txt", "ep-1.txt"), JSON.convertValue(s.get("files"), List.class));
        assertEquals("Europarl: free for any use", c.at("/license/data/0").asText());

        JsonNode stages = c.get("training");
        assertEquals(2, stages.size());
        assertEquals("pretrain", stages.get(0).get("stage").asText());
        assertEquals(2000, stages.get(0).at("/hyperparameters/steps").asInt());
        assertEquals(4.2, stages.get(0).at("/metrics/valLoss").asDouble());
        assertEquals("sft", stages.get(1).get("stage").asText());
        assertEquals(0.165, stages.get(1).at("/metrics/slotError").asDouble());
        assertEquals(100, stages.get(1).at("/data/trainExamples").asInt());
        assertEquals(3.9, c.at("/tokenizer/bytesPerToken").asDouble());
        assertEquals(
                ModelBundleTest.checkpoint.weights().length,
                c.at("/weights/parameters").asLong());
        assertTrue(c.at("/systemPrompt/default").isNull());

        String md = Files.readString(dir.resolve(ModelCard.MARKDOWN_FILE));
        for (String section : List.of(
                "## 1. Training data",
                "## 2. Tokenization",
                "## 3. Architecture",
                "## 4. Training method",
                "## 5. System instructions and safety",
                "## 6. Weights",
                "## 7. Licence")) {
            assertTrue(md.contains(section), section);
        }
        assertTrue(md.contains("| " + src + " | europarl |"), md);
        assertTrue(md.contains("language: 2, cutoff: 1") || md.contains("cutoff: 1, language: 2"), md);
        assertTrue(md.contains("slotError: 0.165"), md);
        assertFalse(md.contains(other), "a source the model never saw is not on its card");
        // Every row of the sources table has as many cells as its header: a '|' in a value is escaped.
        long headerCells = md.lines()
                .filter(l -> l.startsWith("| source |"))
                .findFirst()
                .orElseThrow()
                .chars()
                .filter(ch -> ch == '|')
                .count();
        md.lines()
                .filter(l -> l.startsWith("| " + src))
                .forEach(l -> assertEquals(
                        headerCells,
                        l.replace("\\|", "").chars().filter(ch -> ch == '|').count(),
                        l));
    }

    @Test
    void withoutListedShardsEveryTrainingShardOfTheTokenizerIsAttributedAndTheCardSaysSo() {
        CheckpointManifest m = manifest("x", "pretrain", null, "t", Map.of("shardIdsSha256", "ab"), Map.of());
        assertNull(Provenance.trainingShards(m, id -> null));
    }

    private static Document doc(String id, String source, String date) {
        return new Document(
                Document.SCHEMA,
                id,
                "text " + id,
                source,
                "europarl",
                "ep.txt",
                null,
                LocalDate.parse(date),
                "en",
                "Europarl: free for any use",
                Map.of(),
                Instant.now());
    }

    private static CheckpointManifest manifest(
            String id,
            String stage,
            String parent,
            String tok,
            Map<String, Object> lineage,
            Map<String, Object> metrics) {
        return new CheckpointManifest(
                CheckpointManifest.SCHEMA,
                id,
                stage,
                10,
                parent,
                tok,
                Map.of(),
                lineage,
                metrics,
                0,
                0,
                "",
                Instant.now());
    }

    private static void send(KafkaProducer<String, byte[]> p, String topic, Object value) throws Exception {
        p.send(new ProducerRecord<>(topic, null, Json.bytes(value))).get(30, TimeUnit.SECONDS);
    }
}
