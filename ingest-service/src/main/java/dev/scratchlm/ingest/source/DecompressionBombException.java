package dev.scratchlm.ingest.source;

import java.io.IOException;

/** A compressed input inflated past the configured limits; the reader turns it into a rejected record. */
public final class DecompressionBombException extends IOException {
    public DecompressionBombException(String message) {
        super(message);
    }
}
