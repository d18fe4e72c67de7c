package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.UncheckedIOException;

/** tokenizers → the tokenizer table (vocabulary size is what a job needs from it). */
final class TokenizerConsumer extends ConsumerLoop {
    private final TokenizerRepository tokenizers;

    TokenizerConsumer(String bootstrapServers, String group, TokenizerRepository tokenizers) {
        super(bootstrapServers, group, Topics.TOKENIZERS);
        this.tokenizers = tokenizers;
    }

    @Override
    protected String handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) return "tombstone"; // compaction marker: the tokenizer was withdrawn; shards stay
        TokenizerRecord t;
        try {
            t = Json.read(record.value(), TokenizerRecord.class);
        } catch (UncheckedIOException e) {
            throw new Rejected(e.getMessage());
        }
        if (t.id() == null || t.id().isBlank()) throw new Rejected("tokenizer record without an id");
        if (t.vocabSize() <= 0) throw new Rejected("tokenizer " + t.id() + " has vocabSize " + t.vocabSize());
        tokenizers.upsert(t);
        return "stored";
    }
}
