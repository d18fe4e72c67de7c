package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scratchlm.bpe.HuggingFaceFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.SharedDevStack;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardExportTest {
    /** Reads a file as llm.c's dataloader does: header checks, then uint16 ids. */
    static int[] readLlmc(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(20240520, b.getInt(0), "magic");
        assertEquals(1, b.getInt(4), "version");
        int n = b.getInt(8);
        for (int i = 3; i < 256; i++) assertEquals(0, b.getInt(4 * i));
        assertEquals(1024 + 2L * n, file.length, "file size is header + 2 bytes per token");
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = Short.toUnsignedInt(b.getShort(1024 + 2 * i));
        return ids;
    }

    @Test
    void fileFormatIsLlmcs() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] ids = new int[70_000];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 65536;
        LlmcTokenFile.write(ids, out);
        assertArrayEquals(ids, readLlmc(out.toByteArray()));
        assertThrows(
                IllegalArgumentException.class,
                () -> LlmcTokenFile.write(new int[] {65536}, new ByteArrayOutputStream()));
    }

    @Test
    void aTokenizersShardsExportAsTrainAndValFiles(@TempDir Path dir) throws Exception {
        ModelBundleTest.trainTokenizerAndModel();
        Tokenizer tok = ModelBundleTest.tokenizer;
        String bootstrap = SharedDevStack.get().bootstrapServers();
        KafkaSettings.ensureTopics(bootstrap, Topics.ALL);
        String run = Long.toString(System.nanoTime());
        int[] a = tok.encode("Madam President, the report was adopted."),
                b = tok.encode("We thank the rapporteur."),
                v = tok.encode("The Commission agrees.");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, tok.id(), Json.bytes(ImportMain.tokenizerRecord(tok))))
                    .get();
            // Published out of order: the export puts shards in id order.
            for (Object[] s : new Object[][] {
                {run + "-2", TokenShard.TRAIN, b}, {run + "-1", TokenShard.TRAIN, a}, {run + "-3", TokenShard.VAL, v}
            }) {
                int[] ids = (int[]) s[2];
                TokenShard shard = new TokenShard(
                        TokenShard.SCHEMA,
                        (String) s[0],
                        tok.id(),
                        (String) s[1],
                        List.of("d-" + s[0]),
                        ids.length,
                        TokenShard.bytesPerTokenFor(tok.vocabSize()),
                        ids);
                p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, shard.shardId(), shard.encode()))
                        .get();
            }
        }
        Map<String, Integer> counts = ShardExportMain.export(tok.id(), dir, bootstrap);
        int[] train = readLlmc(Files.readAllBytes(dir.resolve("train.bin")));
        int[] want = new int[a.length + b.length];
        System.arraycopy(a, 0, want, 0, a.length);
        System.arraycopy(b, 0, want, a.length, b.length);
        // Other tests may have published shards of this tokenizer too; ours are the ones with this run's ids.
        assertTrue(train.length >= want.length);
        assertEquals(counts.get("train"), train.length);
        assertTrue(
                java.util.Collections.indexOfSubList(
                                java.util.Arrays.stream(train).boxed().toList(),
                                java.util.Arrays.stream(want).boxed().toList())
                        >= 0,
                "train.bin holds shard 1 then shard 2");
        int[] val = readLlmc(Files.readAllBytes(dir.resolve("val.bin")));
        assertTrue(java.util.Collections.indexOfSubList(
                        java.util.Arrays.stream(val).boxed().toList(),
                        java.util.Arrays.stream(v).boxed().toList())
                >= 0);
        assertEquals(
                tok.id(),
                HuggingFaceFormat.fromJson(Files.readString(dir.resolve("tokenizer.json")))
                        .id());
        assertTrue(Files.isRegularFile(dir.resolve("tokenizer.tiktoken")));
        assertThrows(
                IllegalArgumentException.class,
                () -> ShardExportMain.export("no-such-tokenizer", dir.resolve("x"), bootstrap));
    }
}
