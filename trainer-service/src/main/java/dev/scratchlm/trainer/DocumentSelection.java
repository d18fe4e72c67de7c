package dev.scratchlm.trainer;

import dev.scratchlm.contracts.DocumentSpan;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents of one split dated in {@code (after, upTo]}, as token ranges of the split's file: what a job with a
 * knowledge cutoff trains on (after = null) and what an evaluation by date range scores. Undated documents are never
 * selected (nobody can say they precede the cutoff). Adjacent selected documents are merged into one range.
 *
 * @param starts    first token of each range in the split's file
 * @param lengths   tokens of each range
 * @param documents selected document spans (a document cut across shards counts once per shard)
 * @param tokens    selected tokens
 * @param bytes     UTF-8 bytes of the selected documents' text
 * @param newest    the newest date selected, or null when nothing is
 * @param undated   undated documents left out
 */
public record DocumentSelection(
        LocalDate after,
        LocalDate upTo,
        long[] starts,
        long[] lengths,
        int documents,
        long tokens,
        long bytes,
        LocalDate newest,
        int undated) {

    /** Some shards predate per-document dates (schema 1): their documents cannot be selected by date. */
    public static final class UndatedShards extends IllegalArgumentException {
        UndatedShards(String message) {
            super(message);
        }
    }

    public boolean isEmpty() {
        return tokens == 0;
    }

    /** @throws UndatedShards when any entry carries no spans */
    public static DocumentSelection of(List<ShardStore.Entry> entries, LocalDate after, LocalDate upTo) {
        return of(entries, after, upTo, 1);
    }

    /**
     * At most about {@code maxTokens}: when the range holds more, every k-th matching document is kept (spread over
     * the whole range, not its first documents, which would be its oldest).
     */
    public static DocumentSelection capped(
            List<ShardStore.Entry> entries, LocalDate after, LocalDate upTo, long maxTokens) {
        DocumentSelection all = of(entries, after, upTo, 1);
        if (all.tokens <= maxTokens) return all;
        return of(entries, after, upTo, (int) Math.min(Integer.MAX_VALUE, (all.tokens + maxTokens - 1) / maxTokens));
    }

    private static DocumentSelection of(
            List<ShardStore.Entry> entries, LocalDate after, LocalDate upTo, int keepEvery) {
        int matched = 0;
        List<long[]> ranges = new ArrayList<>();
        int documents = 0, undated = 0, legacy = 0;
        long tokens = 0, bytes = 0;
        LocalDate newest = null;
        for (ShardStore.Entry e : entries) {
            if (e.spans() == null) {
                legacy++;
                continue;
            }
            for (DocumentSpan d : e.spans()) {
                if (d.date() == null) {
                    undated++;
                    continue;
                }
                if ((after != null && !d.date().isAfter(after))
                        || (upTo != null && d.date().isAfter(upTo))) continue;
                if (matched++ % keepEvery != 0) continue;
                long start = e.offset() + d.offset();
                long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                if (last != null && last[0] + last[1] == start) last[1] += d.length();
                else ranges.add(new long[] {start, d.length()});
                documents++;
                tokens += d.length();
                bytes += d.bytes();
                if (newest == null || d.date().isAfter(newest)) newest = d.date();
            }
        }
        if (legacy > 0) {
            throw new UndatedShards(
                    legacy + " shard(s) were tokenized before shards carried each document's date: "
                            + "their documents cannot be selected by date; re-tokenize the corpus (a new tokenizer run) to use a cutoff");
        }
        long[] starts = new long[ranges.size()], lengths = new long[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            starts[i] = ranges.get(i)[0];
            lengths[i] = ranges.get(i)[1];
        }
        return new DocumentSelection(after, upTo, starts, lengths, documents, tokens, bytes, newest, undated);
    }
}
