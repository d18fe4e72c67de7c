package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.ConsumerLoop.Poison;
import java.io.UncheckedIOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** tokenizers → the tokenizer table (vocabulary size is what a job needs from it), on service-common's {@link ConsumerLoop}. */
final class TokenizerConsumer implements ConsumerLoop.RecordHandler {
    private final TokenizerRepository tokenizers;

    private TokenizerConsumer(TokenizerRepository tokenizers) {
        this.tokenizers = tokenizers;
    }

    static ConsumerLoop loop(String bootstrapServers, String group, TokenizerRepository tokenizers) {
        return ConsumerLoop.builder("trainer-consumer-" + Topics.TOKENIZERS, bootstrapServers, group, Topics.TOKENIZERS)
                .records(new TokenizerConsumer(tokenizers))
                .build();
    }

    @Override
    public String handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) return "tombstone"; // compaction marker: the tokenizer was withdrawn; shards stay
        TokenizerRecord t;
        try {
            t = Json.read(record.value(), TokenizerRecord.class);
        } catch (UncheckedIOException e) {
            throw new Poison(e.getMessage());
        }
        if (t.id() == null || t.id().isBlank()) throw new Poison("tokenizer record without an id");
        if (t.vocabSize() <= 0) throw new Poison("tokenizer " + t.id() + " has vocabSize " + t.vocabSize());
        tokenizers.upsert(t);
        return "stored";
    }
}
