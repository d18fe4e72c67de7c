package dev.scratchlm.trainer;

import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.UncheckedIOException;

/** token-shards → the local shard store. The offset is committed only after {@link ShardStore#append} returned. */
final class ShardConsumer extends ConsumerLoop {
    private final ShardStore store;

    ShardConsumer(String bootstrapServers, String group, ShardStore store) {
        super(bootstrapServers, group, Topics.TOKEN_SHARDS);
        this.store = store;
    }

    @Override
    protected String handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) throw new Rejected("empty record");
        TokenShard shard;
        try {
            shard = TokenShard.decode(record.value());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new Rejected("not a token shard: " + e.getMessage());
        }
        try {
            return store.append(shard) == ShardStore.Result.STORED ? "stored" : "duplicate";
        } catch (IllegalArgumentException e) {
            throw new Rejected(e.getMessage());
        }
    }
}
