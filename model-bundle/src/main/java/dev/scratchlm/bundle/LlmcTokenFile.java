package dev.scratchlm.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * llm.c's token file ({@code train_gpt2} and nanoGPT-style loaders read it): a header of 256 little-endian int32
 * (magic 20240520, version 1, the token count, the rest zero), then the ids as little-endian uint16.
 */
public final class LlmcTokenFile {
    public static final int MAGIC = 20240520;
    public static final int VERSION = 1;
    public static final int HEADER_INTS = 256;

    private LlmcTokenFile() {}

    /** Writes one file of {@code tokens}; ids must fit in uint16 (a vocabulary of at most 65,536). */
    public static void write(int[] tokens, OutputStream out) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_INTS * 4).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC).putInt(VERSION).putInt(tokens.length);
        out.write(h.array());
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int t : tokens) {
            if (t < 0 || t > 0xFFFF)
                throw new IllegalArgumentException("token id " + t + " does not fit llm.c's uint16 ids");
            b.putShort((short) t);
            if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
        }
        out.write(b.array(), 0, b.position());
        out.flush();
    }
}
