package dev.scratchlm.trainer;

import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.ConsumerLoop.Poison;
import java.io.UncheckedIOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * token-shards → the local shard store, on service-common's {@link ConsumerLoop}: the offset is committed only after
 * {@link ShardStore#append} returned; a record that is not a shard is dead-lettered.
 */
final class ShardConsumer implements ConsumerLoop.RecordHandler {
    private final ShardStore store;

    private ShardConsumer(ShardStore store) {
        this.store = store;
    }

    static ConsumerLoop loop(String bootstrapServers, String group, ShardStore store) {
        return ConsumerLoop.builder(
                        "trainer-consumer-" + Topics.TOKEN_SHARDS, bootstrapServers, group, Topics.TOKEN_SHARDS)
                .records(new ShardConsumer(store))
                .build();
    }

    @Override
    public String handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) throw new Poison("empty record");
        TokenShard shard;
        try {
            shard = TokenShard.decode(record.value());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new Poison("not a token shard: " + e.getMessage());
        }
        try {
            return store.append(shard) == ShardStore.Result.STORED ? "stored" : "duplicate";
        } catch (IllegalArgumentException e) {
            throw new Poison(e.getMessage());
        }
    }
}
