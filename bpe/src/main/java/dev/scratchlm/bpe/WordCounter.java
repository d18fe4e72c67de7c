package dev.scratchlm.bpe;

import java.util.Arrays;

/**
 * Counts distinct pieces ("words" for BPE training) without making a String per piece: keys live in
 * one growing char pool, entries are numbered in first-seen order (which keeps training deterministic).
 */
final class WordCounter {
    private int[] table = new int[1 << 16]; // entry + 1, 0 = empty
    private int mask = table.length - 1;
    private char[] pool = new char[1 << 20];
    private int poolSize;
    private int[] offsets = new int[1 << 14];
    private int[] lengths = new int[1 << 14];
    private int[] hashes = new int[1 << 14];
    private long[] counts = new long[1 << 14];
    private int size;

    void add(char[] s, int from, int to) {
        int len = to - from;
        int h = len;
        for (int i = from; i < to; i++) {
            h = h * 31 + s[i];
        }
        h *= 0x9E3779B9;
        int i = (h ^ (h >>> 16)) & mask;
        while (true) {
            int e = table[i];
            if (e == 0) {
                break;
            }
            int w = e - 1;
            if (hashes[w] == h && lengths[w] == len && Arrays.equals(pool, offsets[w], offsets[w] + len, s, from, to)) {
                counts[w]++;
                return;
            }
            i = (i + 1) & mask;
        }
        if (size == offsets.length) {
            int cap = size * 2;
            offsets = Arrays.copyOf(offsets, cap);
            lengths = Arrays.copyOf(lengths, cap);
            hashes = Arrays.copyOf(hashes, cap);
            counts = Arrays.copyOf(counts, cap);
        }
        if (poolSize + len > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolSize + len));
        }
        System.arraycopy(s, from, pool, poolSize, len);
        offsets[size] = poolSize;
        lengths[size] = len;
        hashes[size] = h;
        counts[size] = 1;
        poolSize += len;
        table[i] = ++size;
        if (size * 2 > table.length) {
            rehash();
        }
    }

    private void rehash() {
        table = new int[table.length * 2];
        mask = table.length - 1;
        for (int w = 0; w < size; w++) {
            int h = hashes[w];
            int i = (h ^ (h >>> 16)) & mask;
            while (table[i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = w + 1;
        }
    }

    int size() {
        return size;
    }

    char[] pool() {
        return pool;
    }

    int offset(int w) {
        return offsets[w];
    }

    int length(int w) {
        return lengths[w];
    }

    long count(int w) {
        return counts[w];
    }
}
