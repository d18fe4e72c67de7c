package dev.scratchlm.contracts;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * Packed token ids of whole documents on {@link Topics#TOKEN_SHARDS}, each document followed by end-of-text.
 *
 * <p>Binary on the wire, so ids cost 2 bytes when the vocabulary fits in 16 bits: magic {@code SLS1}, a 4-byte
 * header length, the JSON header (everything but the ids) and the ids, little-endian, {@code bytesPerToken} each.
 *
 * @param split        train or val; decided by a hash of the document id so a document is never in both
 * @param documentIds  the documents inside, in order (the lineage a checkpoint reports)
 * @param latestDate   the newest publication date among those documents, if any is dated: a model trained on the
 *                     shard knows nothing later (its knowledge cutoff)
 * @param spans        schema 2: per listed document (same order as documentIds), its date and token range in this shard, so a trainer
 *                     can train on the documents up to a date only; null in schema 1 shards (readers must accept that)
 */
public record TokenShard(
        int schema,
        String shardId,
        String tokenizerId,
        String split,
        List<String> documentIds,
        int tokenCount,
        int bytesPerToken,
        int[] tokens,
        LocalDate latestDate,
        List<DocumentSpan> spans) {
    /** 2 added {@code spans}; a schema 1 shard decodes with null spans. */
    public static final int SCHEMA = 2;

    public static final String TRAIN = "train";
    public static final String VAL = "val";
    /** Shards stay well under Kafka's 1 MB record default, header and ids together. */
    public static final int MAX_RECORD_BYTES = 900 * 1024;

    private static final byte[] MAGIC = "SLS1".getBytes(StandardCharsets.US_ASCII);

    /** A shard whose documents carry no dates. */
    public TokenShard(
            int schema,
            String shardId,
            String tokenizerId,
            String split,
            List<String> documentIds,
            int tokenCount,
            int bytesPerToken,
            int[] tokens) {
        this(schema, shardId, tokenizerId, split, documentIds, tokenCount, bytesPerToken, tokens, null, null);
    }

    /** A shard without per-document spans (as schema 1 wrote them). */
    public TokenShard(
            int schema,
            String shardId,
            String tokenizerId,
            String split,
            List<String> documentIds,
            int tokenCount,
            int bytesPerToken,
            int[] tokens,
            LocalDate latestDate) {
        this(schema, shardId, tokenizerId, split, documentIds, tokenCount, bytesPerToken, tokens, latestDate, null);
    }

    public TokenShard {
        if (bytesPerToken != 2 && bytesPerToken != 4)
            throw new IllegalArgumentException("bytesPerToken must be 2 or 4");
        if (tokens.length != tokenCount) throw new IllegalArgumentException("tokenCount does not match the ids");
        if (spans != null) {
            if (documentIds == null || spans.size() != documentIds.size()) {
                throw new IllegalArgumentException("a shard needs one span per listed document");
            }
            for (int i = 0; i < spans.size(); i++) {
                DocumentSpan d = spans.get(i);
                if (d.offset() < 0 || d.length() < 0 || (long) d.offset() + d.length() > tokenCount) {
                    throw new IllegalArgumentException("span of document " + documentIds.get(i)
                            + " lies outside the shard's " + tokenCount + " tokens");
                }
            }
        }
    }

    /** 2 bytes per id when every id fits in an unsigned 16-bit integer, else 4. */
    public static int bytesPerTokenFor(int vocabSize) {
        return vocabSize <= 65536 ? 2 : 4;
    }

    private record Header(
            int schema,
            String shardId,
            String tokenizerId,
            String split,
            List<String> documentIds,
            int tokenCount,
            int bytesPerToken,
            LocalDate latestDate,
            List<DocumentSpan> spans) {}

    public byte[] encode() {
        byte[] header = Json.bytes(new Header(
                schema, shardId, tokenizerId, split, documentIds, tokenCount, bytesPerToken, latestDate, spans));
        ByteBuffer ids = ByteBuffer.allocate(tokenCount * bytesPerToken).order(ByteOrder.LITTLE_ENDIAN);
        for (int t : tokens) {
            if (bytesPerToken == 2) ids.putShort((short) t);
            else ids.putInt(t);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + header.length + ids.capacity());
        try (DataOutputStream data = new DataOutputStream(out)) {
            data.write(MAGIC);
            data.writeInt(header.length);
            data.write(header);
            data.write(ids.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException when the bytes are not a complete shard */
    public static TokenShard decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 8 || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
            throw new IllegalArgumentException("not a token shard (bad magic)");
        }
        in.position(4);
        int headerLength = in.getInt();
        if (headerLength < 0 || headerLength > bytes.length - 8)
            throw new IllegalArgumentException("truncated shard header");
        Header h = Json.read(Arrays.copyOfRange(bytes, 8, 8 + headerLength), Header.class);
        int payload = bytes.length - 8 - headerLength;
        if (payload != h.tokenCount() * h.bytesPerToken()) {
            throw new IllegalArgumentException("shard " + h.shardId() + " holds " + payload + " bytes of ids, expected "
                    + (long) h.tokenCount() * h.bytesPerToken());
        }
        ByteBuffer ids = in.position(8 + headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        int[] tokens = new int[h.tokenCount()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = h.bytesPerToken() == 2 ? Short.toUnsignedInt(ids.getShort()) : ids.getInt();
        }
        return new TokenShard(
                h.schema(),
                h.shardId(),
                h.tokenizerId(),
                h.split(),
                h.documentIds(),
                h.tokenCount(),
                h.bytesPerToken(),
                tokens,
                h.latestDate(),
                h.spans());
    }
}
