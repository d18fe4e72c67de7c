package dev.scratchlm.ingest.instructions;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds a tokenizer by id on the compacted {@link Topics#TOKENIZERS} topic, to count an import's tokens. Read on
 * demand (an import names its tokenizer) from the start to the current end, newest record per id winning; found
 * tokenizers are kept (a tokenizer id names fixed merges, so it never changes).
 */
public final class TokenizerLookup {
    private final String bootstrap;
    private final Map<String, Tokenizer> cache = new ConcurrentHashMap<>();

    public TokenizerLookup(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public Optional<Tokenizer> find(String id) {
        Tokenizer cached = cache.get(id);
        if (cached != null) return Optional.of(cached);
        Properties p = KafkaSettings.consumer(bootstrap, "ingest-tokenizer-lookup");
        p.put("max.partition.fetch.bytes", String.valueOf(64 << 20));
        p.put("fetch.max.bytes", String.valueOf(64 << 20));
        String definition = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.TOKENIZERS, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!id.equals(r.key())) continue;
                    if (r.value() == null) {
                        definition = null; // withdrawn
                        continue;
                    }
                    try {
                        definition = Json.read(r.value(), TokenizerRecord.class).definition();
                    } catch (RuntimeException e) {
                        definition = null;
                    }
                }
            }
        }
        if (definition == null) return Optional.empty();
        Tokenizer t = ScratchFormat.fromText(definition);
        cache.put(id, t);
        return Optional.of(t);
    }
}
