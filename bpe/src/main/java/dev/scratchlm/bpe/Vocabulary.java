package dev.scratchlm.bpe;

import java.util.Arrays;
import java.util.List;

/**
 * The mergeable tokens (ids 0..size-1, the id is the rank) and the byte-pair merge of one piece.
 *
 * <p>The merge rule is tiktoken's: a piece that is itself a token is that token; otherwise start from
 * single bytes and repeatedly merge the adjacent pair whose concatenation is the lowest-ranked token
 * (leftmost on ties). Every way of writing a token as two tokens is a merge, so a vocabulary read from a
 * rank file, a trained one, and their exports all encode alike.
 */
final class Vocabulary {
    static final int NONE = Integer.MAX_VALUE;
    /** Above this many bytes a piece is merged with a heap (n log n) instead of rescanning (n^2). */
    private static final int SMALL_PIECE = 64;

    private final byte[][] tokens;
    private final int[] byteToId = new int[256];
    private final LongIntMap pairs;
    private final int[] table; // whole-token lookup: id + 1, open addressing on the bytes
    private final int tableMask;

    Vocabulary(List<byte[]> tokensByRank) {
        int n = tokensByRank.size();
        tokens = new byte[n][];
        Arrays.fill(byteToId, -1);
        int cap = Integer.highestOneBit(Math.max(4, n) * 4 - 1);
        table = new int[cap];
        tableMask = cap - 1;
        for (int id = 0; id < n; id++) {
            byte[] t = tokensByRank.get(id);
            if (t == null || t.length == 0) {
                throw new IllegalArgumentException(
                        "token " + id + " is empty (ranks must be 0.." + (n - 1) + " without gaps)");
            }
            tokens[id] = t.clone();
            if (lookup(t, 0, t.length) >= 0) {
                throw new IllegalArgumentException("token " + id + " duplicates token " + lookup(t, 0, t.length));
            }
            int i = hash(t, 0, t.length) & tableMask;
            while (table[i] != 0) {
                i = (i + 1) & tableMask;
            }
            table[i] = id + 1;
            if (t.length == 1) {
                byteToId[t[0] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteToId[b] < 0) {
                throw new IllegalArgumentException(
                        "byte " + b + " has no token; a byte-level vocabulary needs all 256");
            }
        }
        // Every split of a token into two tokens is a merge to it.
        pairs = new LongIntMap(n * 4);
        for (int id = 0; id < n; id++) {
            byte[] t = tokens[id];
            for (int k = 1; k < t.length; k++) {
                int left = lookupRange(t, 0, k);
                if (left < 0) {
                    continue;
                }
                int right = lookupRange(t, k, t.length);
                if (right >= 0) {
                    pairs.put(LongIntMap.pair(left, right), id);
                }
            }
        }
    }

    int size() {
        return tokens.length;
    }

    byte[] token(int id) {
        return tokens[id];
    }

    int byteId(int b) {
        return byteToId[b & 0xFF];
    }

    /** The merged token of the pair, or {@link #NONE}. */
    int merge(int left, int right) {
        return pairs.get(LongIntMap.pair(left, right), NONE);
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    /** The id of the token with exactly these bytes, or -1. */
    int lookup(byte[] b, int from, int to) {
        return lookupRange(b, from, to);
    }

    private int lookupRange(byte[] b, int from, int to) {
        int i = hash(b, from, to) & tableMask;
        int len = to - from;
        while (true) {
            int e = table[i];
            if (e == 0) {
                return -1;
            }
            byte[] t = tokens[e - 1];
            if (t.length == len && Arrays.equals(t, 0, len, b, from, to)) {
                return e - 1;
            }
            i = (i + 1) & tableMask;
        }
    }

    /** Appends the tokens of one piece (its UTF-8 bytes b[0, len)) to out. */
    void encodePiece(byte[] b, int len, IntList out, Scratch scratch) {
        if (len == 1) {
            out.add(byteToId[b[0] & 0xFF]);
            return;
        }
        int whole = lookupRange(b, 0, len);
        if (whole >= 0) {
            out.add(whole);
            return;
        }
        if (len <= SMALL_PIECE) {
            mergeSmall(b, len, out, scratch);
        } else {
            mergeLarge(b, len, out);
        }
    }

    /** Reusable arrays for {@link #mergeSmall}. */
    static final class Scratch {
        final int[] ids = new int[SMALL_PIECE];
        final int[] ranks = new int[SMALL_PIECE];
    }

    private void mergeSmall(byte[] b, int n, IntList out, Scratch scratch) {
        int[] ids = scratch.ids;
        int[] ranks = scratch.ranks; // ranks[i]: the token that merging ids[i] and ids[i+1] gives
        for (int i = 0; i < n; i++) {
            ids[i] = byteToId[b[i] & 0xFF];
        }
        for (int i = 0; i < n - 1; i++) {
            ranks[i] = merge(ids[i], ids[i + 1]);
        }
        while (n > 1) {
            int best = 0;
            int bestRank = ranks[0];
            for (int i = 1; i < n - 1; i++) {
                if (ranks[i] < bestRank) {
                    bestRank = ranks[i];
                    best = i;
                }
            }
            if (bestRank == NONE) {
                break;
            }
            ids[best] = bestRank;
            System.arraycopy(ids, best + 2, ids, best + 1, n - best - 2);
            System.arraycopy(ranks, best + 2, ranks, best + 1, Math.max(0, n - best - 3));
            n--;
            if (best > 0) {
                ranks[best - 1] = merge(ids[best - 1], ids[best]);
            }
            if (best < n - 1) {
                ranks[best] = merge(ids[best], ids[best + 1]);
            }
        }
        for (int i = 0; i < n; i++) {
            out.add(ids[i]);
        }
    }

    /**
     * The same merge order for long pieces (e.g. a run of 10,000 spaces): parts form a linked list over
     * their start offsets and candidate pairs sit in a heap keyed by (rank, start), stale ones skipped.
     */
    private void mergeLarge(byte[] b, int n, IntList out) {
        int[] id = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        int[] rank = new int[n];
        long[] heap = new long[3 * n]; // n - 1 initial pairs + at most 2 per merge
        int heapSize = 0;
        for (int i = 0; i < n; i++) {
            id[i] = byteToId[b[i] & 0xFF];
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        for (int i = 0; i < n - 1; i++) {
            rank[i] = merge(id[i], id[i + 1]);
            if (rank[i] != NONE) {
                heapSize = push(heap, heapSize, ((long) rank[i] << 32) | i);
            }
        }
        rank[n - 1] = NONE;
        while (heapSize > 0) {
            long top = heap[0];
            heapSize = pop(heap, heapSize);
            int r = (int) (top >>> 32);
            int i = (int) top;
            if (id[i] < 0 || rank[i] != r) {
                continue; // stale
            }
            int j = next[i];
            id[i] = r;
            id[j] = -1;
            next[i] = next[j];
            if (next[j] < n) {
                prev[next[j]] = i;
            }
            rank[i] = next[i] < n ? merge(id[i], id[next[i]]) : NONE;
            if (rank[i] != NONE) {
                heapSize = push(heap, heapSize, ((long) rank[i] << 32) | i);
            }
            int p = prev[i];
            if (p >= 0) {
                rank[p] = merge(id[p], id[i]);
                if (rank[p] != NONE) {
                    heapSize = push(heap, heapSize, ((long) rank[p] << 32) | p);
                }
            }
        }
        for (int i = 0; i < n; i = next[i]) {
            out.add(id[i]);
        }
    }

    private static int push(long[] heap, int size, long v) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && heap[c + 1] < heap[c]) {
                c++;
            }
            if (heap[c] >= last) {
                break;
            }
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = last;
        return size;
    }
}
