package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarTest {
    /** Reads a ustar archive: name, octal size, checksum checked; as a tar tool would. */
    static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> files = new HashMap<>();
        int at = 0;
        while (at + 512 <= tar.length && tar[at] != 0) {
            String name = new String(tar, at, 100, StandardCharsets.UTF_8).replace("\0", "");
            long size = Long.parseLong(new String(tar, at + 124, 11, StandardCharsets.US_ASCII), 8);
            int stored = Integer.parseInt(new String(tar, at + 148, 6, StandardCharsets.US_ASCII), 8);
            int sum = 0;
            for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : tar[at + i] & 0xFF;
            assertEquals(stored, sum, "checksum of " + name);
            assertEquals("ustar", new String(tar, at + 257, 5, StandardCharsets.US_ASCII));
            files.put(name, java.util.Arrays.copyOfRange(tar, at + 512, at + 512 + (int) size));
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
        assertEquals(tar.length, at + 1024, "two zero blocks end the archive");
        return files;
    }

    @Test
    void filesComeBackWhole(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.json"), "{}");
        byte[] big = new byte[1000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        Files.write(dir.resolve("b.bin"), big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Tar.write(dir, List.of("a.json", "b.bin"), "model", out);
        Map<String, byte[]> files = untar(out.toByteArray());
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), files.get("model/a.json"));
        assertArrayEquals(big, files.get("model/b.bin"));
    }

    /** The system's tar, when there is one, unpacks it too. */
    @Test
    void systemTarReadsIt(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("x.txt"), "hello");
        Path tar = dir.resolve("b.tar");
        try (var out = Files.newOutputStream(tar)) {
            Tar.write(src, List.of("x.txt"), "bundle", out);
        }
        Process p;
        try {
            p = new ProcessBuilder("tar", "xf", tar.toString(), "-C", dir.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no tar on this machine");
            return;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertEquals("hello", Files.readString(dir.resolve("bundle/x.txt")));
    }
}
