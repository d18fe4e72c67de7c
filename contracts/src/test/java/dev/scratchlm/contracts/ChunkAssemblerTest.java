package dev.scratchlm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunking protocol on its own (the records a producer would send, fed to the assembler); the round trip
 * through a real broker is in devstack's DevStackIT.
 */
class ChunkAssemblerTest {
    @TempDir
    Path dir;

    private List<ConsumerRecord<String, byte[]>> publish(String key, byte[] blob) throws Exception {
        Path file = dir.resolve(key + ".src");
        Files.write(file, blob);
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        Chunks.publish(producer, "checkpoints", key, file, s -> manifest(key, s));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        long offset = 0;
        for (ProducerRecord<String, byte[]> r : producer.history()) {
            ConsumerRecord<String, byte[]> c = new ConsumerRecord<>(r.topic(), 0, offset++, r.key(), r.value());
            r.headers().forEach(h -> c.headers().add(h));
            out.add(c);
        }
        return out;
    }

    private static CheckpointManifest manifest(String key, Chunks.BlobSummary s) {
        return new CheckpointManifest(
                1,
                key,
                "pretrain",
                10,
                null,
                "tok",
                Map.of(),
                Map.of(),
                Map.of(),
                s.sizeBytes(),
                s.chunkCount(),
                s.sha256(),
                Instant.now());
    }

    private static byte[] blob(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void aCompleteBlobIsHandedOutOnlyAtItsManifest() throws Exception {
        byte[] blob = blob(Chunks.CHUNK_BYTES * 2 + 1234);
        List<ConsumerRecord<String, byte[]>> records = publish("ck1", blob);
        assertThat(records).hasSize(4); // three chunks, then the manifest
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        for (int i = 0; i < 3; i++) {
            assertThat(assembler.accept(records.get(i)).status()).isEqualTo(ChunkAssembler.Outcome.Status.PENDING);
        }
        ChunkAssembler.Outcome done = assembler.accept(records.get(3));
        assertThat(done.status()).isEqualTo(ChunkAssembler.Outcome.Status.COMPLETE);
        assertThat(Files.readAllBytes(done.blob())).isEqualTo(blob);
    }

    @Test
    void aMissingChunkIsRejectedNotTrusted() throws Exception {
        List<ConsumerRecord<String, byte[]>> records = publish("ck2", blob(Chunks.CHUNK_BYTES * 3));
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        assembler.accept(records.get(0));
        assembler.accept(records.get(2)); // chunk 1 lost
        ChunkAssembler.Outcome outcome = assembler.accept(records.get(3));
        assertThat(outcome.status()).isEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
        assertThat(outcome.reason()).contains("chunk 2 arrived when 1 was expected");
    }

    @Test
    void aCorruptedChunkIsRejected() throws Exception {
        List<ConsumerRecord<String, byte[]>> records = publish("ck3", blob(1000));
        records.get(0).value()[17] ^= 1;
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        assembler.accept(records.get(0));
        ChunkAssembler.Outcome outcome = assembler.accept(records.get(1));
        assertThat(outcome.status()).isEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
        assertThat(outcome.reason()).contains("checksum");
    }

    @Test
    void aManifestWithoutItsChunksIsRejected() throws Exception {
        List<ConsumerRecord<String, byte[]>> records = publish("ck4", blob(10));
        ChunkAssembler.Outcome outcome = new ChunkAssembler(dir.resolve("spool")).accept(records.get(1));
        assertThat(outcome.status()).isEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
    }

    @Test
    void aRepublishedBlobReplacesAHalfPublishedOne() throws Exception {
        byte[] blob = blob(Chunks.CHUNK_BYTES + 5);
        List<ConsumerRecord<String, byte[]>> first = publish("ck5", blob);
        List<ConsumerRecord<String, byte[]>> retry = publish("ck5", blob);
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        assembler.accept(first.get(0)); // the first producer died after one chunk
        ChunkAssembler.Outcome outcome = null;
        for (ConsumerRecord<String, byte[]> r : retry) outcome = assembler.accept(r);
        assertThat(outcome.status()).isEqualTo(ChunkAssembler.Outcome.Status.COMPLETE);
        assertThat(Files.readAllBytes(outcome.blob())).isEqualTo(blob);
    }

    @Test
    void twoPublicationsOfOneKeyThatInterleaveBothArriveWhole() throws Exception {
        // Two trainer replicas publishing the same pending checkpoint at once.
        byte[] blob = blob(Chunks.CHUNK_BYTES * 2 + 7);
        List<ConsumerRecord<String, byte[]>> a = publish("ck6", blob);
        List<ConsumerRecord<String, byte[]>> b = publish("ck6", blob);
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        List<ChunkAssembler.Outcome> done = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            for (ConsumerRecord<String, byte[]> r : List.of(a.get(i), b.get(i))) {
                ChunkAssembler.Outcome o = assembler.accept(r);
                assertThat(o.status()).as(o.reason()).isNotEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
                if (o.status() == ChunkAssembler.Outcome.Status.COMPLETE) done.add(o);
            }
        }
        assertThat(done).hasSize(2);
        for (ChunkAssembler.Outcome o : done)
            assertThat(Files.readAllBytes(o.blob())).isEqualTo(blob);
    }

    @Test
    void publicationsThatNeverFinishDoNotPileUp() throws Exception {
        byte[] blob = blob(Chunks.CHUNK_BYTES + 9);
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        for (int i = 0; i < 10; i++)
            assembler.accept(publish("ck7", blob).get(0)); // ten producers died after one chunk
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files.count()).isEqualTo(ChunkAssembler.MAX_PUBLICATIONS_PER_KEY);
        }
        ChunkAssembler.Outcome outcome = null;
        for (ConsumerRecord<String, byte[]> r : publish("ck7", blob)) outcome = assembler.accept(r);
        assertThat(outcome.status()).isEqualTo(ChunkAssembler.Outcome.Status.COMPLETE);
    }

    @Test
    void aRecordWithAnUnreadableIndexIsRejectedNotThrown() throws Exception {
        ConsumerRecord<String, byte[]> r = publish("ck8", blob(10)).get(0);
        r.headers().remove(Chunks.INDEX).add(Chunks.INDEX, "x".getBytes());
        ChunkAssembler.Outcome o = new ChunkAssembler(dir.resolve("spool")).accept(r);
        assertThat(o.status()).isEqualTo(ChunkAssembler.Outcome.Status.REJECTED);
    }
}
