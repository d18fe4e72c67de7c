package dev.scratchlm.ingest.pipeline;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A document on its way through the {@link Pipeline}: provenance from the reader, then what each step adds
 * (clean text, id, language, PII counts, MinHash band keys). Mutable on purpose: steps run in order on one thread.
 */
public final class Doc {
    public final long recordNo;
    public final String uri;
    /** "text/html" runs the extraction step; anything else is plain text already. */
    public final String contentType;
    /** Bytes of the record as read (before extraction): what MB/s figures are measured against. */
    public final int rawBytes;

    public String title;
    public LocalDate date;
    /** A language the source claims (JSONL "lang"); used only when identification cannot decide. */
    public String languageHint;

    public String text;

    /** SHA-256 (hex) of the normalized text: the document id and the exact-dedup key. */
    public String id;

    public String language;
    public final Map<String, Integer> piiReplaced = new LinkedHashMap<>();
    /** LSH band keys of the MinHash signature, one per band. */
    public long[] bandKeys;

    private TextStats stats;

    public Doc(long recordNo, String uri, String contentType, String text, int rawBytes) {
        this.recordNo = recordNo;
        this.uri = uri;
        this.contentType = contentType;
        this.text = text;
        this.rawBytes = rawBytes;
    }

    /** Word and line statistics of the current text, computed once for all quality rules. */
    public TextStats stats() {
        if (stats == null) stats = TextStats.of(text);
        return stats;
    }

    void textChanged() {
        stats = null;
    }
}
