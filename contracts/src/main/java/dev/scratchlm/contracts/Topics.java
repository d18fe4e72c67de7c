package dev.scratchlm.contracts;

import java.util.List;
import java.util.Map;

/**
 * Every topic, named once. The order is the order data flows through ScratchLM.
 *
 * <p>Retention is forever on the topics a later stage replays from the start (a new tokenizer re-encodes every
 * document ever ingested; a new trainer re-reads every shard), and compaction only where the newest record per
 * key is the whole truth (a tokenizer). Chunked topics (checkpoints) must never be compacted: all chunks of one
 * checkpoint share its key.
 */
public final class Topics {
    private Topics() {}

    /** Internal to ingest: one record per unit of work (a file, a WARC member range, a batch of JSONL lines). */
    public static final String INGEST_TASKS = "ingest.tasks";
    /** Cleaned documents with provenance; key: document id (SHA-256 of the normalized text). */
    public static final String DOCUMENTS = "documents";
    /** Documents a filter rejected, with the filter and why; key: document id (or a record id when unreadable). */
    public static final String DOCUMENTS_REJECTED = "documents.rejected";
    /** Whole tokenizers (merges, pattern, special tokens), compacted; key: tokenizer id. */
    public static final String TOKENIZERS = "tokenizers";
    /** Packed token ids of documents, per tokenizer and split; key: shard id. */
    public static final String TOKEN_SHARDS = "token-shards";
    /** Chat-format supervised fine-tuning examples; key: example id. */
    public static final String INSTRUCTIONS = "instructions";
    /** Checkpoint chunks followed by their manifest; key: checkpoint id. */
    public static final String CHECKPOINTS = "checkpoints";
    /** A campaign's request for k candidate answers to one prompt, feedback to chat; key: task id. */
    public static final String GENERATION_REQUESTS = "generation.requests";
    /** A prompt with k candidate completions to be ranked; key: task id. */
    public static final String GENERATIONS = "generations";
    /** An ordering of a generation's candidates; key: task id. */
    public static final String RANKINGS = "rankings";
    /** Thumbs up/down on a chat answer; key: answer id. */
    public static final String CHAT_FEEDBACK = "chat-feedback";

    /**
     * A record a consumer can never handle (bad bytes, an unknown schema) or gave up on after bounded retries goes to
     * {@code <topic>.dlq} with the reason in its headers, and the consumer commits past it: one bad record never
     * blocks a partition, and none is dropped without a trace. Only the topics a consumer group reads have one.
     */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /** How a topic is created: partitions and the topic-level configs that matter to its consumers. */
    public record Spec(String name, int partitions, Map<String, String> configs) {}

    private static final Map<String, String> FOREVER = Map.of("retention.ms", "-1", "retention.bytes", "-1");
    /** Dead letters are for a person to look at and replay: kept 30 days. */
    private static final Map<String, String> DEAD_LETTERS = Map.of("retention.ms", "2592000000");

    public static final List<Spec> ALL = List.of(
            new Spec(INGEST_TASKS, 4, Map.of("retention.ms", "604800000")),
            new Spec(DOCUMENTS, 4, FOREVER),
            new Spec(DOCUMENTS_REJECTED, 4, FOREVER),
            new Spec(TOKENIZERS, 1, Map.of("cleanup.policy", "compact")),
            new Spec(TOKEN_SHARDS, 4, FOREVER),
            new Spec(INSTRUCTIONS, 2, FOREVER),
            new Spec(CHECKPOINTS, 1, FOREVER),
            new Spec(GENERATION_REQUESTS, 2, FOREVER),
            new Spec(GENERATIONS, 2, FOREVER),
            new Spec(RANKINGS, 2, FOREVER),
            new Spec(CHAT_FEEDBACK, 2, FOREVER),
            new Spec(deadLetter(INGEST_TASKS), 1, DEAD_LETTERS),
            new Spec(deadLetter(DOCUMENTS), 1, DEAD_LETTERS),
            new Spec(deadLetter(TOKENIZERS), 1, DEAD_LETTERS),
            new Spec(deadLetter(TOKEN_SHARDS), 1, DEAD_LETTERS),
            new Spec(deadLetter(GENERATION_REQUESTS), 1, DEAD_LETTERS),
            new Spec(deadLetter(GENERATIONS), 1, DEAD_LETTERS),
            new Spec(deadLetter(CHAT_FEEDBACK), 1, DEAD_LETTERS));

    public static Spec spec(String name) {
        return ALL.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown topic " + name));
    }
}
