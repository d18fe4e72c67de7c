package dev.scratchlm.ingest.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decompresses gzip (all members, as WARC.gz files have one per record) or a zip entry while counting both sides,
 * and throws {@link DecompressionBombException} once the output passes the size or ratio limit: a 40 KB file must
 * not be allowed to become 40 GB in memory or on the topic.
 */
public final class GuardedInput extends FilterInputStream {
    private final GzipMembers members;
    private final java.util.function.LongSupplier compressed;
    private final ReadLimits limits;
    private long inflated;

    private GuardedInput(GzipMembers members, long inflatedBefore, ReadLimits limits) {
        super(members);
        this.members = members;
        this.compressed = members::compressedRead;
        this.limits = limits;
        this.inflated = inflatedBefore;
    }

    private GuardedInput(InputStream inflating, long compressedSize, ReadLimits limits) {
        super(inflating);
        this.members = null;
        this.compressed = () -> compressedSize;
        this.limits = limits;
    }

    /**
     * A zip entry's inflated bytes, under the same limits. The inflater's progress is not exposed, so the ratio is
     * taken against the entry's whole compressed size (from the central directory): it only errs in the reader's
     * favour until the end, where it is exact.
     */
    static GuardedInput inflatedEntry(InputStream entry, long compressedSize, ReadLimits limits) {
        return new GuardedInput(entry, Math.max(1, compressedSize), limits);
    }

    /**
     * Gunzips a file read from a member start at {@code fileOffset}, whose output begins at {@code outputOffset} of
     * the whole file's: the limits count as if the file had been read from its start.
     */
    static GuardedInput gunzip(InputStream raw, long fileOffset, long outputOffset, ReadLimits limits) {
        return new GuardedInput(new GzipMembers(raw, fileOffset, outputOffset), outputOffset, limits);
    }

    /** See {@link GzipMembers#memberHolding}. */
    long[] memberHolding(long outputOffset) {
        return members == null ? null : members.memberHolding(outputOffset);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) check(1);
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) check(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) check(skipped);
        return skipped;
    }

    private void check(long n) throws DecompressionBombException {
        inflated += n;
        if (inflated > limits.maxDecompressedBytes()) {
            throw new DecompressionBombException("decompressed past " + limits.maxDecompressedBytes() + " bytes");
        }
        long compressed = this.compressed.getAsLong();
        if (inflated > ReadLimits.RATIO_GRACE_BYTES && compressed > 0) {
            double ratio = (double) inflated / compressed;
            if (ratio > limits.maxCompressionRatio()) {
                throw new DecompressionBombException(String.format(
                        java.util.Locale.ROOT,
                        "compression ratio %.0f:1 (%d bytes from %d) exceeds %.0f:1",
                        ratio,
                        inflated,
                        compressed,
                        limits.maxCompressionRatio()));
            }
        }
    }
}
