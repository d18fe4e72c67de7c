package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.CheckpointFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import publishes on the real topics what the chat reads; export reads it back from them into the same files. */
class ImportExportKafkaTest {
    @Test
    void importPublishesACheckpointThatExportWritesBackIdentically(@TempDir Path tmp) throws Exception {
        ModelBundleTest.trainTokenizerAndModel();
        String bootstrap = SharedDevStack.get().bootstrapServers();
        KafkaSettings.ensureTopics(bootstrap, Topics.ALL);
        Path original = tmp.resolve("original"), exported = tmp.resolve("exported");
        ModelBundle.write(ModelBundleTest.checkpoint, "ckpt-1", ModelBundleTest.tokenizer, null, original);

        CheckpointManifest m = ImportMain.publish(original, bootstrap);
        assertTrue(m.checkpointId().startsWith("import-"), m.checkpointId());
        assertEquals("imported", m.stage());
        assertEquals(ModelBundleTest.tokenizer.id(), m.tokenizerId());

        CheckpointManifest back = ExportMain.export(m.checkpointId(), exported, bootstrap);
        assertEquals(m.sha256(), back.sha256());
        ModelBundle.Imported a = ModelBundle.read(original, Map.of()), b = ModelBundle.read(exported, Map.of());
        assertArrayEquals(a.checkpoint().weights(), b.checkpoint().weights());
        assertEquals(a.tokenizer().id(), b.tokenizer().id());
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer.tiktoken", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(original.resolve(f)), Files.readAllBytes(exported.resolve(f)), f);
        }
        // The export carries the card: an imported model's lineage says where it came from.
        JsonNode card = new ObjectMapper()
                .readTree(exported.resolve(ModelCard.JSON_FILE).toFile());
        assertEquals(m.checkpointId(), card.get("id").asText());
        assertEquals("original", card.at("/training/0/data/importedFrom").asText());
        assertTrue(Files.readString(exported.resolve(ModelCard.MARKDOWN_FILE))
                .contains("# Model card: " + m.checkpointId()));
        // The stage alias finds it too.
        assertEquals(
                m.checkpointId(),
                ExportMain.export("imported", tmp.resolve("by-stage"), bootstrap)
                        .checkpointId());
        assertThrows(
                IllegalArgumentException.class,
                () -> ExportMain.export("no-such-model", tmp.resolve("none"), bootstrap));
    }

    @Test
    void aRefusedDirectoryPublishesNothing(@TempDir Path tmp) throws Exception {
        ModelBundleTest.trainTokenizerAndModel();
        ModelBundle.write(ModelBundleTest.checkpoint, "ckpt-1", ModelBundleTest.tokenizer, null, tmp);
        Files.writeString(
                tmp.resolve("config.json"),
                Files.readString(tmp.resolve("config.json")).replace("\"n_layer\" : 2", "\"n_layer\" : 3"));
        // Refused before a producer is made: the address is never dialled.
        CheckpointFormatException e =
                assertThrows(CheckpointFormatException.class, () -> ImportMain.publish(tmp, "127.0.0.1:1"));
        assertTrue(e.getMessage().contains("has no transformer.h.2"), e.getMessage());
    }
}
