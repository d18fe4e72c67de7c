package dev.scratchlm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    static Trainer trainer;
    static byte[] bytes;

    @BeforeAll
    static void trainAFewSteps() {
        GptConfig cfg = Fixtures.tiny();
        trainer = new Trainer(cfg, Fixtures.trainer(2, 16, 1, 1e-2f), 4);
        var src = new Fixtures.PatternSource(2, cfg.vocabSize(), false);
        for (int i = 0; i < 5; i++) trainer.step(src);
        bytes = trainer.checkpoint(
                        "bpe-abc123",
                        4242L,
                        Map.of("parent", "ckpt-7", "shards", List.of("s1", "s2"), "stage", "pretrain"),
                        Map.of("train_loss", 1.25, "tokens", 4096.0))
                .toBytes();
    }

    /** A checkpoint written before reward models existed (its config has no rewardHead field) still loads. */
    @Test
    void checkpointWithoutTheRewardHeadFieldReadsAsALanguageModel() throws Exception {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int len = in.getInt(8);
        String header = new String(bytes, 12, len, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains(",\"rewardHead\":false"), header);
        byte[] old = header.replace(",\"rewardHead\":false", "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(old);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(bytes, 0, 8);
        out.write(java.nio.ByteBuffer.allocate(4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(old.length)
                .array());
        out.write(old);
        out.write(java.nio.ByteBuffer.allocate(4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue())
                .array());
        out.write(bytes, 12 + len + 4, bytes.length - 12 - len - 4);
        Checkpoint c = Checkpoint.fromBytes(out.toByteArray());
        assertEquals(Fixtures.tiny(), c.config());
        assertArrayEquals(trainer.model().copyWeights(), c.weights());
    }

    @Test
    void saveThenLoadGivesIdenticalLogits() throws Exception {
        Gpt original = trainer.model();
        Gpt loaded = Checkpoint.fromBytes(bytes).toModel(2);
        int[] in = Fixtures.randomTokens(new Rng(3), 32, 16);
        original.setTraining(false);
        original.forward(in, null, null, 2, 16);
        loaded.forward(in, null, null, 2, 16);
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 16; t++) {
                assertArrayEquals(original.logits(b, t, null), loaded.logits(b, t, null), "logits at " + b + "," + t);
            }
        }
    }

    @Test
    void headerFieldsRoundTrip() throws Exception {
        Checkpoint c = Checkpoint.read(new ByteArrayInputStream(bytes));
        assertEquals(Fixtures.tiny(), c.config());
        assertEquals(trainer.config(), c.trainerConfig());
        assertEquals(5, c.step());
        assertEquals(4242L, c.dataPosition());
        assertEquals("bpe-abc123", c.tokenizerId());
        assertEquals("ckpt-7", c.metadata().get("parent"));
        assertEquals(List.of("s1", "s2"), c.metadata().get("shards"));
        assertEquals(1.25, c.metrics().get("train_loss"));
        assertEquals(trainer.model().dropoutRng().state(), c.rngState());
        assertTrue(c.hasOptimizerState());
        assertArrayEquals(trainer.model().copyWeights(), c.weights());
    }

    @Test
    void weightsOnlyReadSkipsTheOptimizerState() throws Exception {
        // Drop everything after the weights: the weights-only reader never needs it.
        int weightsEnd = bytes.length - 2 * 4 * (int) trainer.model().parameterCount();
        Checkpoint c = Checkpoint.readWeightsOnly(new ByteArrayInputStream(Arrays.copyOf(bytes, weightsEnd)));
        assertFalse(c.hasOptimizerState());
        assertNull(c.adamM());
        assertArrayEquals(trainer.model().copyWeights(), c.weights());
        assertThrows(IllegalArgumentException.class, () -> Trainer.resume(c));
    }

    @Test
    void truncatedStreamsAreRejected() {
        for (int len : new int[] {0, 5, 13, 200, bytes.length / 2, bytes.length - 1}) {
            byte[] cut = Arrays.copyOf(bytes, len);
            var e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.fromBytes(cut), "length " + len);
            assertTrue(
                    e.getMessage().contains("truncated") || e.getMessage().contains("corrupted"),
                    "length " + len + ": " + e.getMessage());
        }
    }

    @Test
    void corruptedBytesAreRejected() {
        byte[] bad = bytes.clone();
        bad[bad.length - 100] ^= 0x10; // inside adam_v
        var e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.fromBytes(bad));
        assertTrue(e.getMessage().contains("adam_v") && e.getMessage().contains("checksum"), e.getMessage());

        byte[] badWeights = bytes.clone();
        int weightsStart = bytes.length - 3 * 4 * (int) trainer.model().parameterCount();
        badWeights[weightsStart + 10] ^= 0x01;
        var e2 = assertThrows(
                CheckpointFormatException.class,
                () -> Checkpoint.readWeightsOnly(new ByteArrayInputStream(badWeights)));
        assertTrue(e2.getMessage().contains("weights"), e2.getMessage());

        byte[] badHeader = bytes.clone();
        badHeader[20] ^= 0x20;
        var e3 = assertThrows(CheckpointFormatException.class, () -> Checkpoint.fromBytes(badHeader));
        assertTrue(e3.getMessage().contains("header"), e3.getMessage());

        byte[] notACheckpoint = "{\"hello\": 1}".getBytes();
        var e4 = assertThrows(CheckpointFormatException.class, () -> Checkpoint.fromBytes(notACheckpoint));
        assertTrue(e4.getMessage().contains("truncated") || e4.getMessage().contains("magic"), e4.getMessage());
    }

    @Test
    void weightsOnlyExportLoadsForInference() throws Exception {
        Checkpoint c = Checkpoint.weightsOnly(trainer.model(), "bpe-abc123", Map.of("stage", "sft"), null);
        Checkpoint back = Checkpoint.fromBytes(c.toBytes());
        assertFalse(back.hasOptimizerState());
        assertNull(back.trainerConfig());
        assertArrayEquals(trainer.model().copyWeights(), back.weights());
    }
}
