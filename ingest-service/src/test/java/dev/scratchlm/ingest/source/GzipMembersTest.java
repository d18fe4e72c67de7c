package dev.scratchlm.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class GzipMembersTest {
    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Members of random text-like data of random sizes (some empty), concatenated. */
    static byte[][] members(Random rnd, int n) throws IOException {
        byte[][] plain = new byte[n][];
        for (int i = 0; i < n; i++) {
            plain[i] = new byte[rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(200_000)];
            for (int j = 0; j < plain[i].length; j++) plain[i][j] = (byte) ('a' + rnd.nextInt(rnd.nextInt(25) + 1));
        }
        return plain;
    }

    @Test
    void inflatesLikeTheJdkAndKnowsWhereEachMemberStarts() throws IOException {
        Random rnd = new Random(7);
        byte[][] plain = members(rnd, 12);
        ByteArrayOutputStream file = new ByteArrayOutputStream(), expected = new ByteArrayOutputStream();
        long[] fileStarts = new long[plain.length], outStarts = new long[plain.length];
        for (int i = 0; i < plain.length; i++) {
            fileStarts[i] = file.size();
            outStarts[i] = expected.size();
            file.write(gzip(plain[i]));
            expected.write(plain[i]);
        }
        byte[] bytes = file.toByteArray();
        assertThat(new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes())
                .isEqualTo(expected.toByteArray());

        GzipMembers in = new GzipMembers(new ByteArrayInputStream(bytes), 0, 0);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1 + rnd.nextInt(5000)];
        int i = 0;
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
            got.write(buf, 0, n);
            // ask, in increasing order, about every member that has begun by now and holds some output
            while (i < plain.length && outStarts[i] < got.size()) {
                if (plain[i].length > 0) {
                    long probe = outStarts[i] + rnd.nextInt(plain[i].length);
                    if (probe < got.size()) {
                        assertThat(in.memberHolding(probe)).containsExactly(fileStarts[i], outStarts[i]);
                    }
                }
                i++;
            }
        }
        assertThat(got.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(in.compressedRead()).isEqualTo(bytes.length);
    }

    @Test
    void readsFromAMemberInTheMiddleOfAFile() throws IOException {
        byte[] a = gzip("first member ".repeat(1000).getBytes()), b = gzip("second member".getBytes());
        byte[] file = new byte[a.length + b.length];
        System.arraycopy(a, 0, file, 0, a.length);
        System.arraycopy(b, 0, file, a.length, b.length);
        GzipMembers in = new GzipMembers(new ByteArrayInputStream(file, a.length, b.length), a.length, 13_000);
        assertThat(new String(in.readAllBytes())).isEqualTo("second member");
        assertThat(in.memberHolding(13_005)).containsExactly(a.length, 13_000);
    }

    @Test
    void junkAfterTheLastMemberEndsTheStreamAsTheJdkDoes() throws IOException {
        byte[] a = gzip("text".getBytes());
        byte[] file = Arrays.copyOf(a, a.length + 5);
        System.arraycopy("junk!".getBytes(), 0, file, a.length, 5);
        assertThat(new String(new GzipMembers(new ByteArrayInputStream(file), 0, 0).readAllBytes()))
                .isEqualTo("text");
    }

    @Test
    void corruptOrTruncatedInputIsAnError() throws IOException {
        byte[] a = gzip("some text that is long enough ".repeat(50).getBytes());
        byte[] badCrc = a.clone();
        badCrc[a.length - 6] ^= 1;
        assertThatThrownBy(() -> new GzipMembers(new ByteArrayInputStream(badCrc), 0, 0).readAllBytes())
                .isInstanceOf(ZipException.class)
                .hasMessageContaining("trailer");
        byte[] cut = Arrays.copyOf(a, a.length / 2);
        assertThatThrownBy(() -> new GzipMembers(new ByteArrayInputStream(cut), 0, 0).readAllBytes())
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> new GzipMembers(new ByteArrayInputStream("plain".getBytes()), 0, 0).readAllBytes())
                .isInstanceOf(ZipException.class)
                .hasMessageContaining("Not in GZIP format");
    }
}
