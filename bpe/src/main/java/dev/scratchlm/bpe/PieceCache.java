package dev.scratchlm.bpe;

/**
 * A bounded piece → token ids cache, direct-mapped like a CPU cache: each piece hashes to one slot and
 * a newcomer simply overwrites it, so memory is fixed at construction and frequent pieces stay hot
 * without any eviction bookkeeping. Pieces longer than {@link #MAX_CHARS} chars, or encoding to more
 * than {@link #MAX_IDS} tokens, are not cached (they are rare and merge quickly anyway).
 *
 * <p>Bound: {@link #SLOTS} entries, about 4.5 MB, per encoder (a tokenizer keeps at most max(2, cores) idle encoders).
 */
final class PieceCache {
    private static final int BITS = 16;
    static final int SLOTS = 1 << BITS;
    static final int MAX_CHARS = 16;
    static final int MAX_IDS = 8;

    private final int[] hashes = new int[SLOTS];
    private final byte[] lengths = new byte[SLOTS]; // piece length in chars; 0 = empty slot
    private final byte[] counts = new byte[SLOTS]; // number of ids
    private final char[] keys = new char[SLOTS * MAX_CHARS];
    private final int[] ids = new int[SLOTS * MAX_IDS];
    long hits;
    long misses;

    static int hash(char[] s, int from, int to) {
        int h = to - from;
        for (int i = from; i < to; i++) {
            h = h * 31 + s[i];
        }
        return h * 0x9E3779B9;
    }

    /** Appends the cached ids of s[from, to) to out and returns true, or returns false on a miss. */
    boolean get(int hash, char[] s, int from, int to, IntList out) {
        int slot = hash >>> (32 - BITS); // the top bits are the best mixed
        int len = to - from;
        if (lengths[slot] != len || hashes[slot] != hash) {
            misses++;
            return false;
        }
        int k = slot * MAX_CHARS;
        for (int i = from; i < to; i++, k++) {
            if (keys[k] != s[i]) {
                misses++;
                return false;
            }
        }
        hits++;
        int n = counts[slot];
        int base = slot * MAX_IDS;
        for (int i = 0; i < n; i++) {
            out.add(ids[base + i]);
        }
        return true;
    }

    /** Remembers that s[from, to) encodes to out[first, out.size). */
    void put(int hash, char[] s, int from, int to, IntList out, int first) {
        int n = out.size - first;
        if (n > MAX_IDS) {
            return;
        }
        int slot = hash >>> (32 - BITS);
        hashes[slot] = hash;
        lengths[slot] = (byte) (to - from);
        counts[slot] = (byte) n;
        System.arraycopy(s, from, keys, slot * MAX_CHARS, to - from);
        System.arraycopy(out.a, first, ids, slot * MAX_IDS, n);
    }
}
