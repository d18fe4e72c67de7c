package dev.scratchlm.bpe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A byte-level BPE tokenizer: a named split pattern, mergeable tokens (ids 0..{@link #mergeableCount()}-1,
 * the id is the merge rank; every byte has one) and special tokens with their own ids.
 *
 * <p>Encoding is exactly reversible: {@code decode(encode(text))} is {@code text.getBytes(UTF_8)} and
 * {@code decode(encodeBytes(bytes))} is {@code bytes} for any bytes. Immutable and thread-safe.
 *
 * <p>Each encoding call borrows an encoder with its own bounded piece cache ({@link PieceCache#SLOTS}
 * entries, about 4.5 MB); at most max(2, cores) idle encoders are kept per tokenizer, so the memory a
 * tokenizer holds on to is bounded whatever the number of threads.
 */
public final class Tokenizer {
    private final SplitPattern pattern;
    private final Vocabulary vocabulary;
    private final Map<String, Integer> specials; // in id order
    private final String[] specialNames; // index id - mergeableCount, null in gaps
    private final byte[][] specialBytes;
    private final char[][] specialChars; // longest first, for matching in text
    private final int[] specialCharIds;
    private final long[] specialFirstChars = new long[1024]; // bitset over chars: can a special token start here?
    private final int vocabSize;
    private final String id;
    private final int[] mergeParents; // may be null: derived on demand
    // Encoders (buffers + piece cache) are pooled rather than thread-local so that virtual threads, one per
    // request, do not each build a 4.5 MB cache; LIFO keeps the most recently used (hottest) one on top.
    private static final int MAX_IDLE_ENCODERS =
            Math.max(2, Runtime.getRuntime().availableProcessors());
    private final ConcurrentLinkedDeque<Encoder> idleEncoders = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /**
     * @param tokensByRank the mergeable tokens, index = id = rank; must hold all 256 single bytes
     * @param specialTokens special token text → id; ids must not collide with mergeable ids
     */
    public static Tokenizer create(
            SplitPattern pattern, List<byte[]> tokensByRank, Map<String, Integer> specialTokens) {
        return new Tokenizer(pattern, new Vocabulary(tokensByRank), specialTokens, null);
    }

    /** As {@link #create}, remembering the merges that built each token (left, right per id from 256 on). */
    static Tokenizer create(
            SplitPattern pattern, List<byte[]> tokensByRank, Map<String, Integer> specialTokens, int[] mergeParents) {
        return new Tokenizer(pattern, new Vocabulary(tokensByRank), specialTokens, mergeParents);
    }

    private Tokenizer(
            SplitPattern pattern, Vocabulary vocabulary, Map<String, Integer> specialTokens, int[] mergeParents) {
        this.pattern = pattern;
        this.vocabulary = vocabulary;
        this.mergeParents = mergeParents;
        int n = vocabulary.size();
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(specialTokens.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        int maxId = n - 1;
        LinkedHashMap<String, Integer> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) {
            String name = e.getKey();
            int sid = e.getValue();
            if (name == null || name.isEmpty() || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("special token must be non-empty and on one line: '" + name + "'");
            }
            if (sid < n) {
                throw new IllegalArgumentException("special token " + name + " has id " + sid
                        + ", which belongs to a mergeable token (ids below " + n + ")");
            }
            if (sid <= maxId && ordered.containsValue(sid)) {
                throw new IllegalArgumentException("two special tokens share id " + sid);
            }
            ordered.put(name, sid);
            maxId = Math.max(maxId, sid);
        }
        this.specials = Collections.unmodifiableMap(ordered);
        this.vocabSize = maxId + 1;
        this.specialNames = new String[vocabSize - n];
        this.specialBytes = new byte[vocabSize - n][];
        for (Map.Entry<String, Integer> e : ordered.entrySet()) {
            specialNames[e.getValue() - n] = e.getKey();
            specialBytes[e.getValue() - n] = e.getKey().getBytes(StandardCharsets.UTF_8);
        }
        List<Map.Entry<String, Integer>> byLength = new ArrayList<>(ordered.entrySet());
        byLength.sort(Comparator.comparingInt(
                (Map.Entry<String, Integer> e) -> -e.getKey().length()));
        specialChars = new char[byLength.size()][];
        specialCharIds = new int[byLength.size()];
        for (int i = 0; i < byLength.size(); i++) {
            specialChars[i] = byLength.get(i).getKey().toCharArray();
            specialCharIds[i] = byLength.get(i).getValue();
            char c = specialChars[i][0];
            specialFirstChars[c >>> 6] |= 1L << c;
        }
        this.id = computeId();
    }

    /** The same tokens with these special tokens added after the largest id (existing ones are kept). */
    public Tokenizer withSpecialTokens(List<String> names) {
        LinkedHashMap<String, Integer> all = new LinkedHashMap<>(specials);
        int next = vocabSize;
        for (String name : names) {
            if (!all.containsKey(name)) {
                all.put(name, next++);
            }
        }
        return new Tokenizer(pattern, vocabulary, all, mergeParents);
    }

    // ---- what it is ----

    /** Number of ids, i.e. the largest id + 1 (mergeable tokens, special tokens and any gap between). */
    public int vocabSize() {
        return vocabSize;
    }

    /** Number of mergeable tokens: 256 bytes + merges. */
    public int mergeableCount() {
        return vocabulary.size();
    }

    /** Special token text → id, in id order. */
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /** The id of a special token; IllegalArgumentException if this tokenizer has no such token. */
    public int specialId(String name) {
        Integer sid = specials.get(name);
        if (sid == null) {
            throw new IllegalArgumentException(
                    "tokenizer " + id + " has no special token " + name + " (it has " + specials.keySet() + ")");
        }
        return sid;
    }

    public boolean isSpecial(int tokenId) {
        int k = tokenId - vocabulary.size();
        return k >= 0 && k < specialNames.length && specialNames[k] != null;
    }

    public SplitPattern pattern() {
        return pattern;
    }

    public String patternName() {
        return pattern.id();
    }

    public NumberPolicy numberPolicy() {
        return pattern.numberPolicy();
    }

    /**
     * A stable id: the first 16 hex digits of SHA-256 over the pattern name, every token's bytes in id
     * order and the special tokens with their ids. Equal tokenizers have equal ids wherever they were
     * built or loaded.
     */
    public String id() {
        return id;
    }

    /** The bytes of a token (a copy); for a special token its UTF-8 text. */
    public byte[] tokenBytes(int tokenId) {
        return bytesOf(tokenId).clone();
    }

    private byte[] bytesOf(int tokenId) {
        if (tokenId >= 0 && tokenId < vocabulary.size()) {
            return vocabulary.token(tokenId);
        }
        if (isSpecial(tokenId)) {
            return specialBytes[tokenId - vocabulary.size()];
        }
        throw new IllegalArgumentException("unknown token id " + tokenId + " (vocabulary size " + vocabSize + ")");
    }

    /** The special token's text for an id, or null if the id is not special. */
    public String specialName(int tokenId) {
        return isSpecial(tokenId) ? specialNames[tokenId - vocabulary.size()] : null;
    }

    // ---- encoding ----

    /** Encodes text, turning special-token text (e.g. {@code <|endoftext|>}) into its special id. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Encodes text with special tokens disallowed: their text is encoded as ordinary bytes. Use this for
     * anything a user typed, so nobody can inject control tokens.
     */
    public int[] encodeOrdinary(String text) {
        return encode(text, false);
    }

    private Encoder acquire() {
        Encoder e = idleEncoders.pollFirst();
        if (e == null) {
            return new Encoder();
        }
        idleCount.decrementAndGet();
        return e;
    }

    private void release(Encoder e) {
        if (idleCount.incrementAndGet() <= MAX_IDLE_ENCODERS) {
            idleEncoders.offerFirst(e);
        } else {
            idleCount.decrementAndGet();
        }
    }

    private int[] encode(String text, boolean allowSpecial) {
        Objects.requireNonNull(text, "text");
        Encoder enc = acquire();
        try {
            return encode(enc, text, allowSpecial);
        } finally {
            release(enc);
        }
    }

    private int[] encode(Encoder enc, String text, boolean allowSpecial) {
        char[] s = enc.chars(text);
        int n = text.length();
        IntList out = new IntList(n / 3 + 4);
        if (!allowSpecial || specialChars.length == 0) {
            enc.encodeOrdinary(s, 0, n, out);
            return out.toArray();
        }
        int from = 0;
        int i = 0;
        while (i < n) {
            char c = s[i];
            int k = (specialFirstChars[c >>> 6] & (1L << c)) == 0 ? -1 : specialAt(s, i, n);
            if (k < 0) {
                i++;
                continue;
            }
            enc.encodeOrdinary(s, from, i, out);
            out.add(specialCharIds[k]);
            i += specialChars[k].length;
            from = i;
        }
        enc.encodeOrdinary(s, from, n, out);
        return out.toArray();
    }

    /** Index (into specialChars) of the longest special token starting at i, or -1. */
    private int specialAt(char[] s, int i, int n) {
        for (int k = 0; k < specialChars.length; k++) {
            char[] t = specialChars[k];
            if (t[0] == s[i] && i + t.length <= n && java.util.Arrays.equals(t, 0, t.length, s, i, i + t.length)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Encodes arbitrary bytes, valid UTF-8 or not, with special tokens disallowed. On valid UTF-8 it
     * gives the same ids as {@link #encodeOrdinary}; an invalid byte is pre-tokenized like a symbol.
     */
    public int[] encodeBytes(byte[] bytes) {
        char[] s = Utf8.decodeEscaped(bytes);
        IntList out = new IntList(bytes.length / 3 + 4);
        Encoder enc = acquire();
        try {
            int i = 0;
            while (i < s.length) {
                int e = pattern.pieceEnd(s, i, s.length);
                enc.mergePiece(s, i, e, out, true); // no cache: escaped bytes must not share entries with text
                i = e;
            }
        } finally {
            release(enc);
        }
        return out.toArray();
    }

    /**
     * The tokens of a text with their byte spans in the text's UTF-8 encoding (special tokens recognized
     * if {@code allowSpecial}). A piece's text is lossy when its bytes split a character.
     */
    public List<Piece> pieces(String text, boolean allowSpecial) {
        int[] ids = encode(text, allowSpecial);
        List<Piece> pieces = new ArrayList<>(ids.length);
        int offset = 0;
        for (int tokenId : ids) {
            byte[] b = bytesOf(tokenId);
            pieces.add(new Piece(
                    tokenId, new String(b, StandardCharsets.UTF_8), offset, offset + b.length, isSpecial(tokenId)));
            offset += b.length;
        }
        return pieces;
    }

    // ---- decoding ----

    /** The exact bytes of the ids (special tokens as their UTF-8 text). */
    public byte[] decode(int[] ids) {
        int len = 0;
        for (int tokenId : ids) {
            len += bytesOf(tokenId).length;
        }
        byte[] out = new byte[len];
        int p = 0;
        for (int tokenId : ids) {
            byte[] b = bytesOf(tokenId);
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }

    /** A lossy text view of {@link #decode}: invalid UTF-8 becomes U+FFFD. */
    public String decodeToString(int[] ids) {
        return new String(decode(ids), StandardCharsets.UTF_8);
    }

    /** A decoder for ids arriving one at a time that never emits half a character. */
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this::bytesOf);
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The merge that makes each token from id 256 on, as pairs (left, right) in id order: the training
     * merges when known, otherwise the first split into two lower ids.
     *
     * @throws IllegalStateException if ids 0..255 are not the single bytes or a token has no such split
     */
    int[] mergeParents() {
        if (mergeParents != null) {
            return mergeParents.clone();
        }
        int n = vocabulary.size();
        for (int t = 0; t < Math.min(256, n); t++) {
            if (vocabulary.token(t).length != 1) {
                throw new IllegalStateException(
                        "id " + t + " is not a single byte, so this vocabulary is not a list of merges");
            }
        }
        int[] parents = new int[2 * (n - 256)];
        for (int t = 256; t < n; t++) {
            byte[] b = vocabulary.token(t);
            boolean found = false;
            for (int k = 1; k < b.length && !found; k++) {
                int left = vocabulary.lookup(b, 0, k);
                int right = vocabulary.lookup(b, k, b.length);
                if (left >= 0 && left < t && right >= 0 && right < t) {
                    parents[2 * (t - 256)] = left;
                    parents[2 * (t - 256) + 1] = right;
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalStateException("token " + t + " is not the merge of two lower tokens");
            }
        }
        return parents;
    }

    /** Piece-cache statistics summed over the idle encoders: {hits, misses}. */
    long[] cacheStats() {
        long hits = 0;
        long misses = 0;
        for (Encoder e : idleEncoders) {
            hits += e.cache.hits;
            misses += e.cache.misses;
        }
        return new long[] {hits, misses};
    }

    private String computeId() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("scratchlm-bpe\n" + pattern.id() + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] len = new byte[4];
            for (int t = 0; t < vocabulary.size(); t++) {
                byte[] b = vocabulary.token(t);
                len[0] = (byte) (b.length >>> 24);
                len[1] = (byte) (b.length >>> 16);
                len[2] = (byte) (b.length >>> 8);
                len[3] = (byte) b.length;
                sha.update(len);
                sha.update(b);
            }
            for (Map.Entry<String, Integer> e : specials.entrySet()) {
                sha.update(("\n" + e.getValue() + " " + e.getKey()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Tokenizer[" + id + ", pattern=" + pattern.id() + ", vocabSize=" + vocabSize + ", specials="
                + specials.keySet() + "]";
    }

    /** Encoding state for one call at a time: reused buffers and the bounded piece cache. */
    private final class Encoder {
        final PieceCache cache = new PieceCache();
        final Vocabulary.Scratch scratch = new Vocabulary.Scratch();
        char[] chars = new char[1024];
        byte[] bytes = new byte[1024];

        char[] chars(String text) {
            if (chars.length < text.length()) {
                chars = new char[Math.max(text.length(), chars.length * 2)];
            }
            text.getChars(0, text.length(), chars, 0);
            return chars;
        }

        void encodeOrdinary(char[] s, int start, int end, IntList out) {
            SplitPattern p = pattern;
            int i = start;
            while (i < end) {
                int e = p.pieceEnd(s, i, end);
                int len = e - i;
                if (len == 1 && s[i] < 128) {
                    out.add(vocabulary.byteId(s[i]));
                } else if (len <= PieceCache.MAX_CHARS) {
                    int h = PieceCache.hash(s, i, e);
                    if (!cache.get(h, s, i, e, out)) {
                        int first = out.size;
                        mergePiece(s, i, e, out, false);
                        cache.put(h, s, i, e, out, first);
                    }
                } else {
                    mergePiece(s, i, e, out, false);
                }
                i = e;
            }
        }

        void mergePiece(char[] s, int from, int to, IntList out, boolean escaped) {
            int max = Utf8.maxBytes(to - from);
            if (bytes.length < max) {
                bytes = new byte[Math.max(max, bytes.length * 2)];
            }
            int n = Utf8.encode(s, from, to, bytes, escaped);
            vocabulary.encodePiece(bytes, n, out, scratch);
        }
    }
}
