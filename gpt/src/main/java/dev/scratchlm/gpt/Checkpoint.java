package dev.scratchlm.gpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A training checkpoint and its byte format.
 *
 * <p>Layout: the 8 magic bytes {@code SLMCKPT1}; a little-endian int32 header length; the UTF-8 JSON
 * header (config, trainer config, step, RNG state, data position, tokenizer id, metadata, metrics, the
 * parameter table, and each section's float count and CRC-32); the header's CRC-32; then the sections
 * as raw little-endian float32: {@code weights}, and for a training checkpoint {@code adam_m} and
 * {@code adam_v}. Weights come first so {@link #readWeightsOnly(InputStream)} stops early. Reading
 * verifies lengths and checksums and throws {@link CheckpointFormatException} on any mismatch.
 *
 * @param config        the model shape
 * @param trainerConfig how it was being trained (null for a weights-only export)
 * @param step          optimizer steps taken
 * @param rngState      the dropout generator's state
 * @param dataPosition  the trainer's opaque data cursor
 * @param tokenizerId   the tokenizer the model was trained with
 * @param metadata      free-form lineage (parent checkpoint id, shard ids, stage, ...), JSON values
 * @param metrics       named numbers (losses, tokens seen, ...)
 * @param weights       all parameters in {@link Gpt#parameterTable()} order
 * @param adamM         AdamW first moments, or null
 * @param adamV         AdamW second moments, or null
 */
public record Checkpoint(
        GptConfig config,
        TrainerConfig trainerConfig,
        long step,
        long rngState,
        long dataPosition,
        String tokenizerId,
        Map<String, Object> metadata,
        Map<String, Double> metrics,
        float[] weights,
        float[] adamM,
        float[] adamV) {

    private static final byte[] MAGIC = "SLMCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    /** Headers are small; a larger length means the stream is not a checkpoint. */
    private static final int MAX_HEADER_BYTES = 64 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    public Checkpoint {
        if (config == null || weights == null) throw new IllegalArgumentException("config and weights are required");
        long expected = new ParamLayout(config).total;
        if (weights.length != expected) {
            throw new IllegalArgumentException(
                    "weights have " + weights.length + " floats, the config needs " + expected);
        }
        if ((adamM == null) != (adamV == null)) throw new IllegalArgumentException("adamM and adamV go together");
        if (adamM != null && (adamM.length != expected || adamV.length != expected)) {
            throw new IllegalArgumentException("optimizer state length does not match the weights");
        }
        metadata = metadata == null ? Map.of() : metadata;
        metrics = metrics == null ? Map.of() : metrics;
    }

    /** A checkpoint of a model's weights only (what chat needs), e.g. for export. */
    public static Checkpoint weightsOnly(
            Gpt model, String tokenizerId, Map<String, Object> metadata, Map<String, Double> metrics) {
        return new Checkpoint(
                model.config(), null, 0, 0, 0, tokenizerId, metadata, metrics, model.copyWeights(), null, null);
    }

    public boolean hasOptimizerState() {
        return adamM != null;
    }

    /** A model for up to {@code maxBatch} sequences holding these weights. */
    public Gpt toModel(int maxBatch) {
        Gpt g = new Gpt(config, maxBatch, 0);
        g.loadWeights(weights);
        return g;
    }

    /** Serializes to {@code out} (not closed). */
    public void write(OutputStream out) throws IOException {
        float[][] sections = hasOptimizerState() ? new float[][] {weights, adamM, adamV} : new float[][] {weights};
        String[] names = {"weights", "adam_m", "adam_v"};
        ObjectNode h = JSON.createObjectNode();
        h.put("format", "scratchlm-gpt-checkpoint");
        h.put("version", FORMAT_VERSION);
        h.set("config", JSON.valueToTree(config));
        h.set("trainerConfig", trainerConfig == null ? null : JSON.valueToTree(trainerConfig));
        h.put("step", step);
        h.put("rngState", rngState);
        h.put("dataPosition", dataPosition);
        h.put("tokenizerId", tokenizerId);
        h.set("metadata", JSON.valueToTree(metadata));
        h.set("metrics", JSON.valueToTree(metrics));
        h.set("tensors", JSON.valueToTree(Gpt.parameterTable(config)));
        ArrayNode secs = h.putArray("sections");
        for (int i = 0; i < sections.length; i++) {
            ObjectNode s = secs.addObject();
            s.put("name", names[i]);
            s.put("floats", sections[i].length);
            s.put("crc32", crc(sections[i]));
        }
        byte[] header = JSON.writeValueAsBytes(h);
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).putInt(header.length);
        out.write(pre.array());
        out.write(header);
        out.write(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crcOf(header))
                .array());
        for (float[] s : sections) writeFloats(out, s);
        out.flush();
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a whole checkpoint (weights and any optimizer state). */
    public static Checkpoint read(InputStream in) throws IOException {
        return read(in, false);
    }

    /** Reads the header and weights only, skipping the optimizer state (chat-service's path). */
    public static Checkpoint readWeightsOnly(InputStream in) throws IOException {
        return read(in, true);
    }

    public static Checkpoint fromBytes(byte[] bytes) throws CheckpointFormatException {
        try {
            return read(new ByteArrayInputStream(bytes));
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointFormatException("unreadable checkpoint: " + e.getMessage(), e);
        }
    }

    private static Checkpoint read(InputStream raw, boolean weightsOnly) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] pre = readExactly(in, 12, "magic and header length");
        ByteBuffer pb = ByteBuffer.wrap(pre).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pb.get() != MAGIC[i])
                throw new CheckpointFormatException("not a ScratchLM GPT checkpoint (bad magic bytes)");
        }
        int headerLen = pb.getInt();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException("corrupted checkpoint: header length " + headerLen);
        }
        byte[] header = readExactly(in, headerLen, "header");
        int storedCrc = ByteBuffer.wrap(readExactly(in, 4, "header checksum"))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt();
        if (storedCrc != (int) crcOf(header))
            throw new CheckpointFormatException("corrupted checkpoint: header checksum mismatch");
        JsonNode h;
        GptConfig config;
        TrainerConfig tc;
        Map<String, Object> metadata;
        Map<String, Double> metrics;
        try {
            h = JSON.readTree(header);
            int version = h.path("version").asInt(-1);
            if (version != FORMAT_VERSION)
                throw new CheckpointFormatException("unsupported checkpoint version " + version);
            config = JSON.treeToValue(h.get("config"), GptConfig.class);
            JsonNode tcn = h.get("trainerConfig");
            tc = tcn == null || tcn.isNull() ? null : JSON.treeToValue(tcn, TrainerConfig.class);
            metadata = JSON.convertValue(h.get("metadata"), LinkedHashMap.class);
            metrics = JSON.convertValue(
                    h.get("metrics"),
                    JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Double.class));
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (Exception e) {
            throw new CheckpointFormatException("corrupted checkpoint header: " + e.getMessage(), e);
        }
        JsonNode secs = h.path("sections");
        if (!secs.isArray()
                || secs.size() < 1
                || !"weights".equals(secs.get(0).path("name").asText())) {
            throw new CheckpointFormatException("corrupted checkpoint: no weights section");
        }
        float[] weights = readSection(in, secs.get(0));
        float[] m = null, v = null;
        if (!weightsOnly && secs.size() >= 3) {
            m = readSection(in, secs.get(1));
            v = readSection(in, secs.get(2));
        }
        try {
            return new Checkpoint(
                    config,
                    tc,
                    h.path("step").asLong(),
                    h.path("rngState").asLong(),
                    h.path("dataPosition").asLong(),
                    h.path("tokenizerId").isNull()
                            ? null
                            : h.path("tokenizerId").asText(null),
                    metadata,
                    metrics,
                    weights,
                    m,
                    v);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException("inconsistent checkpoint: " + e.getMessage(), e);
        }
    }

    private static float[] readSection(DataInputStream in, JsonNode s) throws IOException {
        String name = s.path("name").asText();
        long n = s.path("floats").asLong(-1);
        if (n < 0 || n > Integer.MAX_VALUE / 4)
            throw new CheckpointFormatException("corrupted checkpoint: section " + name + " size " + n);
        float[] out = new float[(int) n];
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc = new CRC32();
        int done = 0;
        while (done < n) {
            int chunk = (int) Math.min(buf.length / 4, n - done);
            try {
                in.readFully(buf, 0, chunk * 4);
            } catch (EOFException e) {
                throw new CheckpointFormatException(
                        "truncated checkpoint: section " + name + " has " + done + " of " + n + " floats");
            }
            crc.update(buf, 0, chunk * 4);
            bb.clear();
            bb.asFloatBuffer().get(out, done, chunk);
            done += chunk;
        }
        if ((int) crc.getValue() != (int) s.path("crc32").asLong()) {
            throw new CheckpointFormatException("corrupted checkpoint: section " + name + " checksum mismatch");
        }
        return out;
    }

    private static byte[] readExactly(DataInputStream in, int n, String what) throws IOException {
        byte[] b = new byte[n];
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new CheckpointFormatException("truncated checkpoint: stream ended inside the " + what);
        }
        return b;
    }

    private static void writeFloats(OutputStream out, float[] a) throws IOException {
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < a.length; ) {
            int chunk = Math.min(buf.length / 4, a.length - done);
            bb.clear();
            bb.asFloatBuffer().put(a, done, chunk);
            out.write(buf, 0, chunk * 4);
            done += chunk;
        }
    }

    private static long crc(float[] a) {
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc = new CRC32();
        for (int done = 0; done < a.length; ) {
            int chunk = Math.min(buf.length / 4, a.length - done);
            bb.clear();
            bb.asFloatBuffer().put(a, done, chunk);
            crc.update(buf, 0, chunk * 4);
            done += chunk;
        }
        return crc.getValue();
    }

    private static long crcOf(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}
