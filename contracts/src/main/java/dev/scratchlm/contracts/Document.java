package dev.scratchlm.contracts;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * A cleaned document on {@link Topics#DOCUMENTS}.
 *
 * @param id          SHA-256 (hex) of the normalized text: the same text from two sources is one document
 * @param sourceId    the ingest source it came from
 * @param sourceType  upload, folder, warc, jsonl, europarl, api
 * @param uri         where the text was found (URL, file path inside the source, WARC target URI)
 * @param date        publication date when known; the knowledge cutoff is applied to it
 * @param language    ISO 639-1 code from language identification
 * @param piiReplaced how many e-mail addresses, phone numbers and IP addresses were replaced by placeholders
 */
public record Document(
        int schema,
        String id,
        String text,
        String sourceId,
        String sourceType,
        String uri,
        String title,
        LocalDate date,
        String language,
        String license,
        Map<String, Integer> piiReplaced,
        Instant ingestedAt) {
    public static final int SCHEMA = 1;
}
