package dev.scratchlm.gpt;

import java.io.IOException;

/** A checkpoint stream that is truncated, corrupted or not a checkpoint at all. */
public class CheckpointFormatException extends IOException {
    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
