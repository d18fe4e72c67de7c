package dev.scratchlm.ingest.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.pemistahl.lingua.api.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Lingua's own unigram, bigram and trigram models of the candidate languages (the JSON files inside the lingua jar),
 * loaded once into one open-addressing table: packed n-gram -> one row of ln p per candidate.
 * <p>
 * Lingua scores a trigram "abc" with the first of p(abc), p(ab), p(a) that the language's model has. That back-off is
 * folded into the rows here, so scoring a trigram is one probe and one row of additions: a trigram row holds, per
 * language, ln p of the trigram or else of its bigram prefix or else of its first letter; a missing language holds 0,
 * which adds nothing to its sum, exactly like Lingua skipping it. A trigram no model knows falls back to its bigram
 * row, then its unigram row.
 */
final class LinguaModels {
    /** Keys carry the n-gram length above the 48 bits of three UTF-16 chars, so "a" and "\0\0a" differ; 0 is empty. */
    private static final int LENGTH_SHIFT = 48;
    /** The fractions are the field names: thousands of distinct ones, not worth interning. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    final int languages;
    private long[] keys;
    private int[] rowOf;
    private int mask;
    private int shift;
    private float[] rows;
    int ngrams;

    private LinguaModels(int languages) {
        this.languages = languages;
        resize(1 << 16);
        rows = new float[1024 * languages];
    }

    /** Reads the models of these languages from Lingua's jar; a language without model files (e.g. Greek) scores nothing. */
    static LinguaModels load(List<Language> candidates) {
        int n = candidates.size();
        LinguaModels m = new LinguaModels(n);
        for (int l = 0; l < n; l++) {
            for (int length = 1; length <= 3; length++) read(candidates.get(l), length, l, m);
        }
        // Fold the back-off: each language takes the longest prefix its model has. Absent is NaN until here, so a
        // present p = 1 (ln p = 0) still stops the back-off as it does in Lingua; afterwards absent adds 0.
        float[] folded = new float[m.ngrams * n];
        for (int slot = 0; slot <= m.mask; slot++) {
            long key = m.keys[slot];
            if (key == 0) continue;
            int at = m.rowOf[slot] * n;
            int length = (int) (key >>> LENGTH_SHIFT);
            int shorter = length >= 2 ? m.find(prefix(key)) : -1;
            int shortest = length == 3 ? m.find(prefix(prefix(key))) : -1;
            for (int l = 0; l < n; l++) {
                float v = m.rows[at + l];
                if (Float.isNaN(v) && shorter >= 0) v = m.rows[shorter + l];
                if (Float.isNaN(v) && shortest >= 0) v = m.rows[shortest + l];
                folded[at + l] = Float.isNaN(v) ? 0f : v;
            }
        }
        m.rows = folded;
        return m;
    }

    /** The key of the n-gram without its last character. */
    private static long prefix(long key) {
        int length = (int) (key >>> LENGTH_SHIFT);
        return ((long) (length - 1) << LENGTH_SHIFT) | ((key & 0xFFFF_FFFF_FFFFL) >>> 16);
    }

    static long key(char a) {
        return (1L << LENGTH_SHIFT) | a;
    }

    static long key(char a, char b) {
        return (2L << LENGTH_SHIFT) | ((long) a << 16) | b;
    }

    static long key(char a, char b, char c) {
        return (3L << LENGTH_SHIFT) | ((long) a << 32) | ((long) b << 16) | c;
    }

    /**
     * Lingua's model file: {"language": "...", "ngrams": {"numerator/denominator": "ngram ngram ...", ...}}. The
     * probability is computed as Lingua does (float numerator / float denominator), then ln in double, kept as float.
     */
    private static void read(Language language, int length, int index, LinguaModels m) {
        String name = switch (length) {
            case 1 -> "unigrams";
            case 2 -> "bigrams";
            default -> "trigrams";
        };
        String path = "/language-models/" + language.getIsoCode639_1().name().toLowerCase(java.util.Locale.ROOT) + "/"
                + name + ".json";
        try (InputStream in = Language.class.getResourceAsStream(path)) {
            if (in == null) return; // Lingua treats a missing model as empty
            try (JsonParser p = JSON.createParser(in)) {
                expect(p.nextToken(), JsonToken.START_OBJECT, path);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.getCurrentName();
                    JsonToken value = p.nextToken();
                    if (!field.equals("ngrams")) {
                        p.skipChildren();
                        continue;
                    }
                    expect(value, JsonToken.START_OBJECT, path);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String fraction = p.getCurrentName();
                        int slash = fraction.indexOf('/');
                        float probability = Float.parseFloat(fraction.substring(0, slash))
                                / (float) Integer.parseInt(fraction.substring(slash + 1));
                        float lnP = (float) Math.log(probability);
                        expect(p.nextToken(), JsonToken.VALUE_STRING, path);
                        for (String ngram : p.getText().split(" ")) {
                            if (ngram.length() != length) continue; // outside the BMP: such texts go to Lingua itself
                            long key = switch (length) {
                                case 1 -> key(ngram.charAt(0));
                                case 2 -> key(ngram.charAt(0), ngram.charAt(1));
                                default -> key(ngram.charAt(0), ngram.charAt(1), ngram.charAt(2));
                            };
                            int at = m.findOrAdd(key); // may grow m.rows: index it afterwards
                            m.rows[at + index] = lnP;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lingua's model " + path, e);
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String path) {
        if (actual != expected) throw new IllegalStateException("unexpected " + actual + " in Lingua's model " + path);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift); // Fibonacci hashing: the top bits
    }

    /** @return the row offset of this key, adding a row of NaN (absent everywhere) if it is new */
    private int findOrAdd(long key) {
        int slot = slot(key);
        for (long k; (k = keys[slot]) != 0; slot = (slot + 1) & mask) {
            if (k == key) return rowOf[slot] * languages;
        }
        if (2 * (ngrams + 1) > keys.length) {
            resize(keys.length * 2);
            return findOrAdd(key);
        }
        if ((ngrams + 1) * languages > rows.length) rows = Arrays.copyOf(rows, rows.length * 2);
        keys[slot] = key;
        rowOf[slot] = ngrams;
        Arrays.fill(rows, ngrams * languages, (ngrams + 1) * languages, Float.NaN);
        return ngrams++ * languages;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        int[] oldRows = rowOf;
        keys = new long[capacity];
        rowOf = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        if (oldKeys == null) return;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] == 0) continue;
            int slot = slot(oldKeys[i]);
            while (keys[slot] != 0) slot = (slot + 1) & mask;
            keys[slot] = oldKeys[i];
            rowOf[slot] = oldRows[i];
        }
    }

    /** @return the row offset of this key, or -1 */
    private int find(long key) {
        int slot = slot(key);
        for (long k; (k = keys[slot]) != 0; slot = (slot + 1) & mask) {
            if (k == key) return rowOf[slot] * languages;
        }
        return -1;
    }

    /** Adds ln p of the trigram (with Lingua's back-off) to each language's sum; @return false if no model knows any part of it. */
    boolean addTrigram(char a, char b, char c, float[] sums) {
        int at = find(key(a, b, c));
        if (at < 0) at = find(key(a, b));
        if (at < 0) at = find(key(a));
        if (at < 0) return false;
        float[] r = rows;
        for (int l = 0; l < languages; l++) sums[l] += r[at + l];
        return true;
    }
}
