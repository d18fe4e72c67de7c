package dev.scratchlm.ingest.pipeline;

import java.util.SplittableRandom;

/**
 * MinHash over word 5-gram shingles with LSH banding (Broder 1997; Leskovec et al., Mining of Massive Datasets ch. 3).
 * The Jaccard similarity of two documents' shingle sets is the chance that one MinHash value agrees; with b bands of r
 * rows two documents share a band key with probability 1 - (1 - s^r)^b, a step around s = (1/b)^(1/r) (~0.72 for
 * 14 x 8). Each of the {@code bands * rows} hash functions is a multiply-shift hash of one 64-bit shingle hash.
 */
public final class MinHash {
    public static final int SHINGLE_WORDS = 5;

    private final int bands;
    private final int rows;
    private final long[] a;
    private final long[] b;

    public MinHash(int bands, int rows, long seed) {
        this.bands = bands;
        this.rows = rows;
        int n = bands * rows;
        a = new long[n];
        b = new long[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            a[i] = random.nextLong() | 1; // odd multipliers make x -> a*x a bijection on 64-bit words
            b[i] = random.nextLong();
        }
    }

    public int bands() {
        return bands;
    }

    public int rows() {
        return rows;
    }

    /** The MinHash signature (unsigned 32-bit values in longs), or null for a text without words. */
    public long[] signature(String text) {
        long[] words = wordHashes(text);
        if (words.length == 0) return null;
        int n = a.length;
        long[] min = new long[n];
        java.util.Arrays.fill(min, Long.MAX_VALUE);
        int shingles = Math.max(1, words.length - SHINGLE_WORDS + 1);
        for (int s = 0; s < shingles; s++) {
            long h = 0;
            for (int w = s, end = Math.min(words.length, s + SHINGLE_WORDS); w < end; w++)
                h = h * 0x100000001B3L + words[w];
            h = mix(h);
            for (int i = 0; i < n; i++) {
                long v = (a[i] * h + b[i]) >>> 32; // the high bits of a multiply-shift hash are the well-mixed ones
                if (v < min[i]) min[i] = v;
            }
        }
        return min;
    }

    /** One key per band: a hash of that band's rows, so two documents collide when all r rows agree. */
    public long[] bandKeys(long[] signature) {
        if (signature == null) return null;
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = band;
            for (int r = 0; r < rows; r++) h = h * 0x9E3779B97F4A7C15L + signature[band * rows + r];
            keys[band] = mix(h);
        }
        return keys;
    }

    /** Fraction of equal signature values: an estimate of the Jaccard similarity of the shingle sets. */
    public static double similarity(long[] x, long[] y) {
        int same = 0;
        for (int i = 0; i < x.length; i++) if (x[i] == y[i]) same++;
        return (double) same / x.length;
    }

    /** Lowercased words of letters and digits, hashed (FNV-1a): punctuation and spacing do not change shingles. */
    static long[] wordHashes(String text) {
        long[] out = new long[Math.max(16, text.length() / 5)];
        int count = 0;
        long h = 0;
        boolean inWord = false;
        for (int i = 0, n = text.length(); i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c)) {
                if (!inWord) {
                    h = 0xcbf29ce484222325L;
                    inWord = true;
                }
                h = (h ^ Character.toLowerCase(c)) * 0x100000001b3L;
            } else if (inWord) {
                if (count == out.length) out = java.util.Arrays.copyOf(out, count * 2);
                out[count++] = h;
                inWord = false;
            }
        }
        return java.util.Arrays.copyOf(out, count);
    }

    /** SplitMix64's finalizer: spreads every input bit over the whole word. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
