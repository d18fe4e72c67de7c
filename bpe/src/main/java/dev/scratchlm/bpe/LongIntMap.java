package dev.scratchlm.bpe;

/**
 * Open-addressing map from a non-negative long (a pair of token ids) to an int. The pair lookup is
 * the inner loop of both encoding and training, so it avoids boxing and pointer chasing.
 */
final class LongIntMap {
    private static final long EMPTY = -1L;
    private long[] keys;
    private int[] values;
    private int mask;
    private int size;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        values = new int[cap];
        mask = cap - 1;
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & mask;
    }

    /** The value for the key, or {@code missing}. */
    int get(long key, int missing) {
        long[] k = keys;
        int i = slot(key, mask);
        while (true) {
            long kk = k[i];
            if (kk == key) {
                return values[i];
            }
            if (kk == EMPTY) {
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    void put(long key, int value) {
        int i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            keys[i] = key;
            if (++size * 2 > keys.length) {
                values[i] = value;
                grow();
                return;
            }
        }
        values[i] = value;
    }

    /** Inserts the key with {@code value} unless present; returns the value now stored. */
    int putIfAbsent(long key, int value) {
        int i = slot(key, mask);
        while (true) {
            long kk = keys[i];
            if (kk == key) {
                return values[i];
            }
            if (kk == EMPTY) {
                break;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return value;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        int cap = oldKeys.length * 2;
        keys = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        values = new int[cap];
        mask = cap - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != EMPTY) {
                int i = slot(oldKeys[j], mask);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }
}
