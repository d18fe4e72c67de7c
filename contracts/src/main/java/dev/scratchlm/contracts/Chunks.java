package dev.scratchlm.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Large blobs (checkpoints) on a topic as chunks under Kafka's 1 MB record default, followed by a JSON manifest.
 *
 * <p>All records of one blob share its key, hence one partition and their order. Each record says what it is in
 * the {@value #KIND} header; chunks carry their index and their own SHA-256. The manifest comes last and states the
 * chunk count and the SHA-256 of the whole blob, so a consumer ({@link ChunkAssembler}) never mistakes a
 * half-published blob for a complete one.
 */
public final class Chunks {
    private Chunks() {}

    public static final String KIND = "kind";
    public static final String CHUNK = "chunk";
    public static final String MANIFEST = "manifest";
    public static final String INDEX = "index";
    public static final String SHA256 = "sha256";
    /** One id per call of {@link #publish}: two publications of one key that interleave are assembled apart. */
    public static final String PUBLICATION = "publication";
    /** Half of Kafka's default max record size leaves room for headers and batching overhead. */
    public static final int CHUNK_BYTES = 512 * 1024;

    /** What the manifest must state about the blob that was just chunked. */
    public record BlobSummary(long sizeBytes, int chunkCount, String sha256) {}

    /**
     * Sends the file's chunks, then the manifest built from their summary, and waits until all are acknowledged.
     *
     * @return the summary the manifest was built from
     */
    public static BlobSummary publish(
            Producer<String, byte[]> producer,
            String topic,
            String key,
            Path blob,
            Function<BlobSummary, Object> manifest)
            throws IOException {
        MessageDigest whole = sha256();
        byte[] publication = java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        long size = 0;
        int index = 0;
        try (InputStream in = Files.newInputStream(blob)) {
            byte[] buffer = new byte[CHUNK_BYTES];
            int n;
            while ((n = in.readNBytes(buffer, 0, CHUNK_BYTES)) > 0) {
                byte[] chunk = n == CHUNK_BYTES ? buffer.clone() : java.util.Arrays.copyOf(buffer, n);
                whole.update(chunk);
                size += n;
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, chunk);
                record.headers()
                        .add(KIND, CHUNK.getBytes(StandardCharsets.UTF_8))
                        .add(INDEX, Integer.toString(index++).getBytes(StandardCharsets.UTF_8))
                        .add(SHA256, hex(sha256().digest(chunk)).getBytes(StandardCharsets.UTF_8))
                        .add(PUBLICATION, publication);
                sent.add(producer.send(record));
            }
        }
        BlobSummary summary = new BlobSummary(size, index, hex(whole.digest()));
        ProducerRecord<String, byte[]> last = new ProducerRecord<>(topic, key, Json.bytes(manifest.apply(summary)));
        last.headers().add(KIND, MANIFEST.getBytes(StandardCharsets.UTF_8)).add(PUBLICATION, publication);
        sent.add(producer.send(last));
        try {
            for (Future<RecordMetadata> f : sent) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing " + key, e);
        } catch (ExecutionException e) {
            throw new IOException(
                    "could not publish " + key + ": " + e.getCause().getMessage(), e.getCause());
        }
        return summary;
    }

    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static String sha256Hex(byte[] bytes) {
        return hex(sha256().digest(bytes));
    }
}
