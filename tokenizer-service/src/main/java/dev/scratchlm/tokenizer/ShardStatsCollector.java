package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads committed shards back from {@code token-shards} (read_committed: aborted transactions never count) into the
 * shards table, so progress and per-split totals reflect exactly what the trainer will see. Replicas share the group,
 * so each shard is recorded by one of them.
 */
@ApplicationScoped
public class ShardStatsCollector {
    private static final Logger LOG = Logger.getLogger(ShardStatsCollector.class);
    static final String GROUP = "tokenizer-shard-stats";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ShardRepository shards;

    @Inject
    TokenizerRepository registry;

    private final Map<String, Integer> endOfText = new ConcurrentHashMap<>();
    private ConsumerLoop loop;

    void start() {
        // At least once: a batch is written, then its offsets committed; the idempotent insert absorbs a replay.
        loop = ConsumerLoop.builder("shard-stats", bootstrapServers, GROUP, Topics.TOKEN_SHARDS)
                .batches(this::record)
                .build();
        loop.start();
    }

    ConsumerLoop loop() {
        return loop;
    }

    void stop() {
        if (loop != null) loop.close();
    }

    String lastError() {
        return loop == null ? null : loop.lastError();
    }

    private void record(List<ConsumerRecord<String, byte[]>> records, ConsumerLoop.Rejects rejects) {
        List<ShardRepository.Row> rows = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            TokenShard shard;
            try {
                shard = TokenShard.decode(r.value());
            } catch (RuntimeException e) {
                rejects.poison(r, "not a token shard: " + e.getMessage());
                continue;
            }
            Optional<Integer> eot = endOfText(shard.tokenizerId());
            if (eot.isEmpty()) continue; // a tokenizer registered elsewhere (or a test's): not ours to count
            int ended = 0;
            for (int t : shard.tokens()) if (t == eot.get()) ended++;
            rows.add(new ShardRepository.Row(
                    shard.shardId(),
                    shard.tokenizerId(),
                    shard.split(),
                    ended,
                    shard.tokenCount(),
                    r.value().length,
                    shard.latestDate()));
        }
        if (!rows.isEmpty()) shards.insert(rows);
    }

    private Optional<Integer> endOfText(String tokenizerId) {
        Integer known = endOfText.get(tokenizerId);
        if (known != null) return Optional.of(known);
        Optional<Integer> id = registry.endOfTextId(tokenizerId);
        id.ifPresent(v -> endOfText.put(tokenizerId, v));
        return id;
    }
}
