package dev.scratchlm.contracts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reassembles blobs published with {@link Chunks#publish}: chunks are spooled to disk as they arrive, and a blob is
 * handed out only when its manifest arrives, every chunk is there in order and every checksum matches.
 * A re-publication of the same key (chunk 0 again) starts over, so a producer that died half-way and retried is fine.
 * Records carry their publication's id, so two publications of one key that interleave (two trainer replicas
 * publishing the same pending checkpoint) are assembled side by side and both arrive whole.
 */
public final class ChunkAssembler {
    /** What one record did: nothing visible yet, a complete verified blob, or a rejected one and why. */
    public record Outcome(Status status, String key, byte[] manifestJson, Path blob, String reason) {
        public enum Status {
            PENDING,
            COMPLETE,
            REJECTED
        }
    }

    /** Publications of one key assembled at once; older ones beyond it are producers that died half-way. */
    static final int MAX_PUBLICATIONS_PER_KEY = 4;

    private static final class Partial {
        final String key;
        final Path file;
        final OutputStream out;
        final MessageDigest digest = Chunks.sha256();
        int nextIndex;
        long size;
        String broken;

        Partial(String key, Path file) throws IOException {
            this.key = key;
            this.file = file;
            this.out = Files.newOutputStream(file);
        }
    }

    private final Path spoolDir;
    private final Map<String, Partial> partials = new LinkedHashMap<>(); // oldest publication first

    public ChunkAssembler(Path spoolDir) {
        this.spoolDir = spoolDir;
        try {
            Files.createDirectories(spoolDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Outcome accept(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        String kind = Chunks.header(record.headers(), Chunks.KIND);
        String publication = Chunks.header(record.headers(), Chunks.PUBLICATION);
        String slot = publication == null ? key : key + "#" + publication;
        try {
            if (Chunks.CHUNK.equals(kind)) return chunk(key, slot, record);
            if (Chunks.MANIFEST.equals(kind)) return manifest(key, slot, record.value());
            return new Outcome(Outcome.Status.REJECTED, key, null, null, "record without a kind header");
        } catch (IOException | RuntimeException e) {
            try {
                drop(slot);
            } catch (IOException ignored) {
                // the spool file stays behind; the outcome below already says what went wrong
            }
            return new Outcome(Outcome.Status.REJECTED, key, null, null, "unreadable record: " + e.getMessage());
        }
    }

    private Outcome chunk(String key, String slot, ConsumerRecord<String, byte[]> record) throws IOException {
        int index = Integer.parseInt(Chunks.header(record.headers(), Chunks.INDEX));
        if (index == 0) {
            drop(slot);
            dropOldestBeyond(key, MAX_PUBLICATIONS_PER_KEY - 1);
            partials.put(slot, new Partial(key, spoolDir.resolve(safe(slot) + ".part")));
        }
        Partial p = partials.get(slot);
        if (p == null) return pending(key); // tail of a blob whose start we never saw: its manifest will be rejected
        if (p.broken != null) return pending(key);
        String expectedSha = Chunks.header(record.headers(), Chunks.SHA256);
        if (index != p.nextIndex) {
            p.broken = "chunk " + index + " arrived when " + p.nextIndex + " was expected";
        } else if (expectedSha == null || !expectedSha.equals(Chunks.sha256Hex(record.value()))) {
            p.broken = "chunk " + index + " fails its checksum";
        } else {
            p.out.write(record.value());
            p.digest.update(record.value());
            p.size += record.value().length;
            p.nextIndex++;
        }
        return pending(key);
    }

    private Outcome manifest(String key, String slot, byte[] json) throws IOException {
        CheckpointManifest m;
        try {
            m = Json.read(json, CheckpointManifest.class);
        } catch (UncheckedIOException e) {
            drop(slot);
            return new Outcome(Outcome.Status.REJECTED, key, json, null, e.getMessage());
        }
        Partial p = partials.remove(slot);
        if (p == null) return new Outcome(Outcome.Status.REJECTED, key, json, null, "manifest without chunks");
        p.out.close();
        String problem = p.broken;
        if (problem == null && p.nextIndex != m.chunkCount())
            problem = "got " + p.nextIndex + " of " + m.chunkCount() + " chunks";
        if (problem == null && p.size != m.sizeBytes()) problem = "got " + p.size + " of " + m.sizeBytes() + " bytes";
        String sha = Chunks.hex(p.digest.digest());
        if (problem == null && !sha.equals(m.sha256()))
            problem = "sha256 " + sha + " does not match the manifest's " + m.sha256();
        if (problem != null) {
            Files.deleteIfExists(p.file);
            return new Outcome(Outcome.Status.REJECTED, key, json, null, problem);
        }
        Path done = spoolDir.resolve(safe(slot) + ".blob");
        Files.move(p.file, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Outcome(Outcome.Status.COMPLETE, key, json, done, null);
    }

    private Outcome pending(String key) {
        return new Outcome(Outcome.Status.PENDING, key, null, null, null);
    }

    private void drop(String slot) throws IOException {
        Partial old = partials.remove(slot);
        if (old != null) {
            old.out.close();
            Files.deleteIfExists(old.file);
        }
    }

    private void dropOldestBeyond(String key, int keep) throws IOException {
        List<String> slots = new ArrayList<>();
        partials.forEach((slot, p) -> {
            if (p.key.equals(key)) slots.add(slot);
        });
        for (int i = 0; i < slots.size() - keep; i++) drop(slots.get(i));
    }

    private static String safe(String key) {
        return key.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
