package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.TokenShard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Train or validation, decided by the document id alone: the first four bytes of SHA-256(id) as an unsigned number,
 * and 1 in {@value #VAL_EVERY} lands in val. Every replica, every tokenizer and every restart agrees, so a document
 * is never in both splits and the validation loss is measured on text the model never trained on.
 */
public final class Split {
    public static final int VAL_EVERY = 20;

    private Split() {}

    public static String of(String documentId) {
        return isVal(documentId) ? TokenShard.VAL : TokenShard.TRAIN;
    }

    public static boolean isVal(String documentId) {
        byte[] h = sha256(documentId.getBytes(StandardCharsets.UTF_8));
        long first = ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
        return first % VAL_EVERY == 0;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
