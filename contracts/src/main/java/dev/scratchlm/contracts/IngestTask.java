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
 */
public record IngestTask(int schema, String taskId, String sourceId, String sourceType, String format,
                         String location, String entry, String uri, long firstRecord, long endRecord,
                         LocalDate cutoff, String undated, List<String> languages, String license,
                         Instant plannedAt) {
    public static final int SCHEMA = 1;
}
