package dev.scratchlm.ingest.source;

/**
 * What a reader refuses to swallow.
 *
 * @param maxDocumentBytes     a record larger than this is rejected as oversized (documents must fit a Kafka record)
 * @param maxDecompressedBytes a compressed file inflating past this is a decompression bomb
 * @param maxCompressionRatio  ... and so is one inflating more than this many times its compressed size
 *                             (checked once past {@link #RATIO_GRACE_BYTES}: tiny files compress oddly)
 */
public record ReadLimits(int maxDocumentBytes, long maxDecompressedBytes, double maxCompressionRatio) {
    public static final long RATIO_GRACE_BYTES = 1 << 20;
}
