package dev.scratchlm.contracts;

import java.time.LocalDate;

/**
 * Where one document's tokens lie in a {@link TokenShard} (the spans are in the order of its document ids), with what a trainer needs to select and score it.
 *
 * @param date   its publication date, or null when undated
 * @param offset first token of the document in the shard
 * @param length its tokens in this shard, its end-of-text included when the shard holds its end
 * @param bytes  UTF-8 bytes of the whole document's text (for bytes-normalized losses)
 */
public record DocumentSpan(LocalDate date, int offset, int length, long bytes) {}
