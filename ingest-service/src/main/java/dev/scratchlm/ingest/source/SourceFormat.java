package dev.scratchlm.ingest.source;

import java.util.Locale;

/** How records are cut out of a file, decided by its name (a trailing .gz is decompressed first). */
public enum SourceFormat {
    /** Plain text or Markdown: the whole file is one document. */
    TXT,
    /** HTML: the whole file is one document; the extract step keeps the visible text. */
    HTML,
    /** One JSON object per line: {text, url?, title?, date?, lang?}. */
    JSONL,
    /** WARC (Common Crawl's WARC with HTML responses, or WET with extracted text): one document per capture. */
    WARC,
    /** Lucene's Europarl lines: title TAB date TAB text, one document per line. */
    EUROPARL,
    /** A file in a folder that no reader understands: it becomes one rejected record, not silence. */
    UNSUPPORTED;

    public static final String SUPPORTED_EXTENSIONS = ".txt .md .html .htm .jsonl .warc .wet (and .gz of each)";

    public static SourceFormat ofFileName(String fileName) {
        String name = stripGz(fileName.toLowerCase(Locale.ROOT));
        if (name.endsWith(".txt") || name.endsWith(".md") || name.endsWith(".markdown")) return TXT;
        if (name.endsWith(".html") || name.endsWith(".htm")) return HTML;
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return JSONL;
        if (name.endsWith(".warc") || name.endsWith(".wet")) return WARC;
        return UNSUPPORTED;
    }

    public static boolean isGzip(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    static String stripGz(String name) {
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    /** Whole-file formats hold exactly one record. */
    public boolean wholeFile() {
        return this == TXT || this == HTML || this == UNSUPPORTED;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SourceFormat ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
