package dev.scratchlm.ingest.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decompresses gzip (all members, as WARC.gz files have one per record) while counting both sides, and throws
 * {@link DecompressionBombException} once the output passes the size or ratio limit: a 40 KB file must not be
 * allowed to become 40 GB in memory or on the topic.
 */
public final class GuardedInput extends FilterInputStream {
    private final Counting compressed;
    private final ReadLimits limits;
    private long inflated;

    private GuardedInput(InputStream inflating, Counting compressed, ReadLimits limits) {
        super(inflating);
        this.compressed = compressed;
        this.limits = limits;
    }

    public static InputStream gunzip(InputStream raw, ReadLimits limits) throws IOException {
        Counting counting = new Counting(raw);
        return new GuardedInput(new GZIPInputStream(counting, 64 * 1024), counting, limits);
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
        if (inflated > ReadLimits.RATIO_GRACE_BYTES && compressed.count > 0) {
            double ratio = (double) inflated / compressed.count;
            if (ratio > limits.maxCompressionRatio()) {
                throw new DecompressionBombException(String.format(java.util.Locale.ROOT,
                        "compression ratio %.0f:1 (%d bytes from %d) exceeds %.0f:1", ratio, inflated,
                        compressed.count, limits.maxCompressionRatio()));
            }
        }
    }

    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
