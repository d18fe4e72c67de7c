package dev.scratchlm.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain POSIX ustar archive of regular files, so a bundle downloads as one file ({@code tar xf} unpacks it).
 * Written by hand: a header block per file and zero padding are all a few files need.
 */
public final class Tar {
    private static final int BLOCK = 512;

    private Tar() {}

    /** Writes {@code files} of {@code dir} as {@code folder/name} entries, then the end-of-archive blocks. */
    public static void write(Path dir, List<String> files, String folder, OutputStream out) throws IOException {
        for (String f : files) {
            Path p = dir.resolve(f);
            long size = Files.size(p);
            out.write(
                    header(folder + "/" + f, size, Files.getLastModifiedTime(p).toMillis() / 1000));
            try (InputStream in = Files.newInputStream(p)) {
                in.transferTo(out);
            }
            int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
            out.write(new byte[pad]);
        }
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private static byte[] header(String name, long size, long mtime) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) throw new IllegalArgumentException("tar entry name longer than 100 bytes: " + name);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", mtime));
        h[156] = '0';
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) sum += b & 0xFF;
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
