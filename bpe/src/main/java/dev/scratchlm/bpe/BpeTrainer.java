package dev.scratchlm.bpe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns BPE merges from documents (Sennrich et al. 2016, byte-level as in GPT-2).
 *
 * <p>Documents are cut into pieces by the split pattern and only the distinct pieces ("word types")
 * with their counts are kept, so documents can be streamed in and forgotten. Merging then works on
 * word types weighted by count: pair counts are kept up to date incrementally (only the words that
 * contain the merged pair are touched) and the most frequent pair comes from a max-heap with lazy
 * deletion. Ties go to the smaller (left id, right id), so the same input always gives the same merges.
 *
 * <p>Not thread-safe; one trainer per training run.
 */
public final class BpeTrainer {

    /**
     * @param vocabSize     target total size: 256 bytes + merges + special tokens
     * @param pattern       the split pattern (which fixes the number policy)
     * @param specialTokens special tokens, given ids after the merged tokens in this order
     * @param minFrequency  stop early when the best pair occurs fewer times than this
     */
    public record Config(int vocabSize, SplitPattern pattern, List<String> specialTokens, long minFrequency) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            if (pattern == null) {
                throw new IllegalArgumentException("a split pattern is required");
            }
            if (vocabSize < 256 + specialTokens.size()) {
                throw new IllegalArgumentException(
                        "vocabSize " + vocabSize + " is below 256 bytes + " + specialTokens.size() + " special tokens");
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
            }
            if (new HashSet<>(specialTokens).size() != specialTokens.size()) {
                throw new IllegalArgumentException("special tokens repeat: " + specialTokens);
            }
        }

        /** The usual setup: the policy's default pattern, the chat template's special tokens, pairs seen twice or more. */
        public static Config of(int vocabSize, NumberPolicy numberPolicy) {
            return new Config(vocabSize, SplitPattern.forNumberPolicy(numberPolicy), ChatTemplate.SPECIAL_TOKENS, 2);
        }

        int merges() {
            return vocabSize - 256 - specialTokens.size();
        }
    }

    /** What a run did, for logs and the benchmark. Times are wall-clock nanoseconds. */
    public record Stats(
            long documents, long chars, long pieces, int wordTypes, int merges, long splitNanos, long mergeNanos) {}

    private final Config config;
    private final WordCounter words = new WordCounter();
    private char[] buffer = new char[4096];
    private long documents;
    private long chars;
    private long pieces;
    private long splitNanos;
    private Stats stats;

    public BpeTrainer(Config config) {
        this.config = config;
    }

    /** Trains on all documents in one call. */
    public static Tokenizer train(Iterable<? extends CharSequence> documents, Config config) {
        return new BpeTrainer(config).addAll(documents).train();
    }

    public BpeTrainer addAll(Iterable<? extends CharSequence> documents) {
        for (CharSequence d : documents) {
            addDocument(d);
        }
        return this;
    }

    /** Counts the pieces of one document; the document itself is not kept. */
    public BpeTrainer addDocument(CharSequence document) {
        long t0 = System.nanoTime();
        int n = document.length();
        if (buffer.length < n) {
            buffer = new char[Math.max(n, buffer.length * 2)];
        }
        if (document instanceof String s) {
            s.getChars(0, n, buffer, 0);
        } else {
            for (int i = 0; i < n; i++) {
                buffer[i] = document.charAt(i);
            }
        }
        SplitPattern pattern = config.pattern();
        int i = 0;
        while (i < n) {
            int e = pattern.pieceEnd(buffer, i, n);
            words.add(buffer, i, e);
            pieces++;
            i = e;
        }
        documents++;
        chars += n;
        splitNanos += System.nanoTime() - t0;
        return this;
    }

    public Stats stats() {
        return stats;
    }

    // ---- merging: state shared by the helpers below ----
    private int[] sym; // all word types' symbols, back to back
    private int[] wordOff;
    private int[] wordLen;
    private long[] wordCount;
    private int[] wordStamp; // last merge that visited the word (dedupes the pair's word list)
    private final LongIntMap pairIndex = new LongIntMap(1 << 16);
    private long[] pairKey = new long[1 << 16];
    private long[] pairCount = new long[1 << 16];
    private int[][] pairWords = new int[1 << 16][];
    private int[] pairWordsLen = new int[1 << 16];
    private int[] pairStamp = new int[1 << 16];
    private boolean[] pairDone = new boolean[1 << 16]; // merged, or refused as a duplicate token
    private int pairs;
    private int[] changed = new int[1024];
    private int changedSize;
    private int stamp;
    private long[] heapCount = new long[1 << 16];
    private int[] heapPair = new int[1 << 16];
    private int heapSize;

    /** Learns the merges and returns the tokenizer. */
    public Tokenizer train() {
        if (stats != null) {
            throw new IllegalStateException("this trainer has already trained; make a new one");
        }
        long t0 = System.nanoTime();
        loadWords();
        for (int w = 0; w < wordOff.length; w++) {
            int o = wordOff[w];
            for (int i = o; i < o + wordLen[w] - 1; i++) {
                int p = pairOf(sym[i], sym[i + 1]);
                pairCount[p] += wordCount[w];
                addWord(p, w);
            }
        }
        for (int p = 0; p < pairs; p++) {
            heapPush(p);
        }

        List<byte[]> tokens = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
            seen.add(new String(tokens.get(b), StandardCharsets.ISO_8859_1));
        }
        IntList parents = new IntList(2 * config.merges());
        int target = config.merges();
        while (tokens.size() - 256 < target && heapSize > 0) {
            long count = heapCount[0];
            int p = heapPair[0];
            heapPop();
            if (pairDone[p] || count != pairCount[p]) {
                continue; // stale heap entry
            }
            if (count < config.minFrequency()) {
                break;
            }
            int a = (int) (pairKey[p] >>> 32);
            int b = (int) pairKey[p];
            byte[] merged = concat(tokens.get(a), tokens.get(b));
            pairDone[p] = true;
            if (!seen.add(new String(merged, StandardCharsets.ISO_8859_1))) {
                continue; // another pair already spells this token; a vocabulary must not repeat itself
            }
            int c = tokens.size();
            tokens.add(merged);
            parents.add(a);
            parents.add(b);
            mergePair(p, a, b, c);
            if (heapSize > 4 * pairs + (1 << 20)) {
                rebuildHeap();
            }
        }
        int merges = tokens.size() - 256;
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String s : config.specialTokens()) {
            specials.put(s, tokens.size() + specials.size());
        }
        stats = new Stats(documents, chars, pieces, words.size(), merges, splitNanos, System.nanoTime() - t0);
        releaseState();
        return Tokenizer.create(config.pattern(), tokens, specials, parents.toArray());
    }

    /** Word types as UTF-8 byte symbols; single-byte words are dropped since they hold no pair. */
    private void loadWords() {
        int n = words.size();
        int[] off = new int[n];
        int[] len = new int[n];
        long[] cnt = new long[n];
        int[] syms = new int[1 << 20];
        byte[] bytes = new byte[64];
        int size = 0;
        int kept = 0;
        char[] pool = words.pool();
        for (int w = 0; w < n; w++) {
            int from = words.offset(w);
            int to = from + words.length(w);
            if (bytes.length < Utf8.maxBytes(to - from)) {
                bytes = new byte[Utf8.maxBytes(to - from) * 2];
            }
            int m = Utf8.encode(pool, from, to, bytes, false);
            if (m < 2) {
                continue;
            }
            if (size + m > syms.length) {
                syms = Arrays.copyOf(syms, Math.max(syms.length * 2, size + m));
            }
            for (int i = 0; i < m; i++) {
                syms[size + i] = bytes[i] & 0xFF;
            }
            off[kept] = size;
            len[kept] = m;
            cnt[kept] = words.count(w);
            size += m;
            kept++;
        }
        sym = syms;
        wordOff = Arrays.copyOf(off, kept);
        wordLen = Arrays.copyOf(len, kept);
        wordCount = Arrays.copyOf(cnt, kept);
        wordStamp = new int[kept];
        Arrays.fill(wordStamp, -1);
    }

    /** Replaces (a, b) by c in every word that has it, updating the counts of the neighbouring pairs. */
    private void mergePair(int p, int a, int b, int c) {
        stamp = c;
        changedSize = 0;
        int[] list = pairWords[p];
        int listLen = pairWordsLen[p];
        for (int k = 0; k < listLen; k++) {
            int w = list[k];
            if (wordStamp[w] == c) {
                continue;
            }
            wordStamp[w] = c;
            int o = wordOff[w];
            int end = o + wordLen[w];
            long f = wordCount[w];
            int r = o;
            int out = o;
            while (r < end) {
                if (r + 1 < end && sym[r] == a && sym[r + 1] == b) {
                    if (out > o) {
                        int prev = sym[out - 1];
                        change(pairOf(prev, a), -f);
                        int q = pairOf(prev, c);
                        change(q, f);
                        addWord(q, w);
                    }
                    if (r + 2 < end) {
                        int next = sym[r + 2];
                        change(pairOf(b, next), -f);
                        int q = pairOf(c, next);
                        change(q, f);
                        addWord(q, w);
                    }
                    sym[out++] = c;
                    r += 2;
                } else {
                    sym[out++] = sym[r++];
                }
            }
            wordLen[w] = out - o;
        }
        pairCount[p] = 0;
        pairWords[p] = null;
        for (int k = 0; k < changedSize; k++) {
            int q = changed[k];
            if (!pairDone[q] && pairCount[q] > 0) {
                heapPush(q);
            }
        }
    }

    private void change(int p, long delta) {
        pairCount[p] += delta;
        if (pairStamp[p] != stamp) {
            pairStamp[p] = stamp;
            if (changedSize == changed.length) {
                changed = Arrays.copyOf(changed, changedSize * 2);
            }
            changed[changedSize++] = p;
        }
    }

    private void addWord(int p, int w) {
        int n = pairWordsLen[p];
        int[] list = pairWords[p];
        if (n > 0 && list[n - 1] == w) {
            return;
        }
        if (list == null) {
            list = pairWords[p] = new int[4];
        } else if (n == list.length) {
            list = pairWords[p] = Arrays.copyOf(list, n * 2);
        }
        list[n] = w;
        pairWordsLen[p] = n + 1;
    }

    /** The index of pair (a, b), created on first sight. */
    private int pairOf(int a, int b) {
        long key = LongIntMap.pair(a, b);
        int p = pairIndex.putIfAbsent(key, pairs);
        if (p == pairs) {
            if (pairs == pairKey.length) {
                int cap = pairs * 2;
                pairKey = Arrays.copyOf(pairKey, cap);
                pairCount = Arrays.copyOf(pairCount, cap);
                pairWords = Arrays.copyOf(pairWords, cap);
                pairWordsLen = Arrays.copyOf(pairWordsLen, cap);
                pairStamp = Arrays.copyOf(pairStamp, cap);
                pairDone = Arrays.copyOf(pairDone, cap);
            }
            pairKey[p] = key;
            pairStamp[p] = -1;
            pairs++;
        }
        return p;
    }

    // ---- max-heap of (count, pair), larger count first, then smaller pair key ----

    private boolean above(long c1, int p1, long c2, int p2) {
        return c1 > c2 || (c1 == c2 && pairKey[p1] < pairKey[p2]);
    }

    private void heapPush(int p) {
        if (heapSize == heapPair.length) {
            heapPair = Arrays.copyOf(heapPair, heapSize * 2);
            heapCount = Arrays.copyOf(heapCount, heapSize * 2);
        }
        long c = pairCount[p];
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!above(c, p, heapCount[parent], heapPair[parent])) {
                break;
            }
            heapCount[i] = heapCount[parent];
            heapPair[i] = heapPair[parent];
            i = parent;
        }
        heapCount[i] = c;
        heapPair[i] = p;
    }

    private void heapPop() {
        heapSize--;
        long c = heapCount[heapSize];
        int p = heapPair[heapSize];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize
                    && above(heapCount[child + 1], heapPair[child + 1], heapCount[child], heapPair[child])) {
                child++;
            }
            if (!above(heapCount[child], heapPair[child], c, p)) {
                break;
            }
            heapCount[i] = heapCount[child];
            heapPair[i] = heapPair[child];
            i = child;
        }
        heapCount[i] = c;
        heapPair[i] = p;
    }

    /** Drops stale entries when they pile up: one fresh entry per live pair. */
    private void rebuildHeap() {
        heapSize = 0;
        for (int p = 0; p < pairs; p++) {
            if (!pairDone[p] && pairCount[p] > 0) {
                heapPush(p);
            }
        }
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    private void releaseState() {
        sym = null;
        wordOff = null;
        wordLen = null;
        wordCount = null;
        wordStamp = null;
        pairWords = null;
        heapCount = null;
        heapPair = null;
    }
}
