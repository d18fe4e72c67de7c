package dev.scratchlm.contracts;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * One unit of ingest work on {@link Topics#INGEST_TASKS}: a range of records of one file, so that replicas in the
 * ingest consumer group share a big source. Everything a worker needs to decide about a record is in the task, so
 * processing it again gives the same answers.
 *
 * @param taskId      stable id: source id + file + range; the catalog marks it done exactly once
 * @param format      txt, md, html, jsonl, warc, europarl (how records are read from the file)
 * @param location    a path on the ingest servers, or {@code upload:<id>} for bytes kept in the catalog
 * @param entry       a member inside an archive at {@code location} (the Europarl file inside its jar), or null
 * @param uri         how documents of this file are named in provenance (a relative path, a file name)
 * @param firstRecord first record number of the range (inclusive)
 * @param endRecord   end of the range (exclusive)
 * @param cutoff      documents dated after it are rejected; null: no cutoff
 * @param undated     {@code accept} or {@code reject} documents without a date
 * @param languages   ISO 639-1 codes accepted by language identification
 * @param seek        where record {@code firstRecord} starts in the file, so a worker skips what comes before it
 *                    instead of reading it; null: read from the file's start
 */
public record IngestTask(
        int schema,
        String taskId,
        String sourceId,
        String sourceType,
        String format,
        String location,
        String entry,
        String uri,
        long firstRecord,
        long endRecord,
        LocalDate cutoff,
        String undated,
        List<String> languages,
        String license,
        Instant plannedAt,
        Seek seek) {
    public static final int SCHEMA = 1;

    /**
     * A point in a file where a record starts, found while planning counted the records.
     *
     * @param fileOffset   bytes of the stored file to skip: up to the record, or for gzip to the member holding it
     * @param outputOffset where the bytes at {@code fileOffset} are in the decoded file (the same when not compressed)
     * @param recordOffset where the record is in the decoded file (read and dropped from {@code outputOffset})
     * @param linesBefore  lines before the record, so line numbers in provenance stay those of the whole file
     */
    public record Seek(long fileOffset, long outputOffset, long recordOffset, long linesBefore) {}
}
