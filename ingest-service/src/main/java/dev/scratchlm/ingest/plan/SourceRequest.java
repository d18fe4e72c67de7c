package dev.scratchlm.ingest.plan;

import java.util.List;

/**
 * {@code POST /api/ingest/sources}: a source on the server side.
 *
 * @param type      europarl, folder, file, jsonl, warc or wet
 * @param location  an absolute path inside one of the allowed directories (for europarl: the jar or the .gz)
 * @param cutoff    yyyy-MM-dd, or "none"; default: ingest.cutoff
 * @param languages ISO 639-1 allow-list; default: ingest.languages
 * @param undated   accept or reject; default: ingest.undated
 * @param license   recorded on every document of the source
 * @param limit     only the first N records (a quick look at a big source)
 */
public record SourceRequest(
        String type,
        String location,
        String cutoff,
        List<String> languages,
        String undated,
        String license,
        Long limit) {

    /** The options shared with uploads and posted documents. */
    public SourceOptions options() {
        return new SourceOptions(cutoff, languages, undated, license, limit);
    }
}
