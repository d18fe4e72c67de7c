package dev.scratchlm.gpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format, float32 tensors only: an 8-byte little-endian header length, a UTF-8 JSON
 * header mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into
 * the data that follows the header) plus an optional {@code __metadata__} string map, then the tensors'
 * raw little-endian bytes, contiguous.
 *
 * <p>Written here directly: we found no maintained standalone safetensors implementation for Java (only readers inside whole ML engines), and the
 * format is a page long. Reading validates the whole header before any data is copied (every size against
 * dtype × shape, offsets inside the file, no overlaps, no gaps, no trailing bytes), so a file that lies is
 * refused with its reason and nothing of it is returned.
 */
public final class Safetensors {
    /** One tensor: its shape and row-major values. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int s : shape) n *= s;
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
            }
        }
    }

    /** The tensors in file order and the header's metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Larger headers are not safetensors files (the reference implementation caps them at 100 MB too). */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Writes the tensors (in map order) and metadata to {@code out} (not closed). */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        ObjectNode h = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) h.set("__metadata__", JSON.valueToTree(metadata));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = h.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int s : e.getValue().shape()) shape.add(s);
            long end = offset + 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(h);
        int padded = (json.length + 7) / 8 * 8; // spaces up to 8 bytes, so the data is aligned
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(padded)
                .array());
        out.write(header);
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            float[] a = t.data();
            for (int done = 0; done < a.length; ) {
                int chunk = Math.min(buf.length / 4, a.length - done);
                bb.clear();
                bb.asFloatBuffer().put(a, done, chunk);
                out.write(buf, 0, chunk * 4);
                done += chunk;
            }
        }
        out.flush();
    }

    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(tensors, metadata, out);
        }
    }

    /** Reads and validates a whole file; throws {@link CheckpointFormatException} with the reason for any lie. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "is " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw bad(file, "declares a " + headerLen + "-byte header but the file is " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode h;
            try {
                h = JSON.readTree(hb.array());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw bad(file, "has a header that is not JSON: " + e.getOriginalMessage());
            }
            if (h == null || !h.isObject()) throw bad(file, "has a header that is not a JSON object");
            long dataStart = 8 + headerLen, dataLen = size - dataStart;
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    if (!f.getValue().isObject()) throw bad(file, "has a __metadata__ that is not an object");
                    f.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    entries.add(entry(file, f.getKey(), f.getValue(), dataLen));
                }
            }
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin));
            long expected = 0;
            Entry prev = null;
            for (Entry e : byOffset) {
                if (e.begin < expected)
                    throw bad(file, "has tensors " + prev.name + " and " + e.name + " overlapping at byte " + e.begin);
                if (e.begin > expected)
                    throw bad(file, "has " + (e.begin - expected) + " bytes no tensor owns before " + e.name);
                expected = e.end;
                prev = e;
            }
            if (expected != dataLen) {
                throw bad(
                        file,
                        "has " + (dataLen - expected) + " bytes after its last tensor (the header accounts for "
                                + expected + " of " + dataLen + ")");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : byOffset) {
                ByteBuffer data = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + e.begin);
                float[] values = new float[data.capacity() / 4];
                data.asFloatBuffer().get(values);
                tensors.put(e.name, new Tensor(e.shape, values));
            }
            return new Contents(tensors, metadata);
        }
    }

    private record Entry(String name, int[] shape, long begin, long end) {}

    private static Entry entry(Path file, String name, JsonNode t, long dataLen) throws CheckpointFormatException {
        String what = "tensor " + name;
        if (!t.isObject()) throw bad(file, "has " + what + " that is not an object");
        String dtype = t.path("dtype").asText("");
        if (!dtype.equals("F32"))
            throw bad(file, "has " + what + " of unsupported dtype '" + dtype + "' (only F32 is read)");
        JsonNode shapeNode = t.path("shape"), off = t.path("data_offsets");
        if (!shapeNode.isArray()) throw bad(file, "has " + what + " without a shape");
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0) throw bad(file, "has " + what + " with shape entry " + d);
            shape[i] = d.asInt();
            count *= shape[i];
            if (count > Integer.MAX_VALUE)
                throw bad(file, "has " + what + " too large to read: " + Arrays.toString(shape));
        }
        if (!off.isArray()
                || off.size() != 2
                || !off.get(0).canConvertToLong()
                || !off.get(1).canConvertToLong()) {
            throw bad(file, "has " + what + " without data_offsets [begin, end]");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin)
            throw bad(file, "has " + what + " with data_offsets [" + begin + ", " + end + "]");
        if (end > dataLen) {
            throw bad(
                    file,
                    "has " + what + " ending at byte " + end + " of the data, past the file's " + dataLen
                            + " data bytes");
        }
        if (end - begin != 4 * count) {
            throw bad(
                    file,
                    "has " + what + " whose data_offsets span " + (end - begin) + " bytes but F32 "
                            + Arrays.toString(shape) + " needs " + 4 * count);
        }
        return new Entry(name, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) throw new CheckpointFormatException("safetensors file ended early");
        }
        b.flip();
    }

    private static CheckpointFormatException bad(Path file, String why) {
        return new CheckpointFormatException("not a valid safetensors file: " + file.getFileName() + " " + why);
    }
}
