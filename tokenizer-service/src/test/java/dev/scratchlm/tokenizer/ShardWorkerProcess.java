package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.TokenShard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shard worker in a JVM of its own, for the test that kills it with SIGKILL. It prints a line for each committed
 * transaction; once it has committed one and sent five shards in the next, it says {@value #FROZEN} and stops there,
 * its transaction open and its consumer still in the group, until the test kills the process.
 *
 * <p>Arguments: bootstrap servers, tokenizer id, instance id.
 */
public final class ShardWorkerProcess {
    static final String FROZEN = "FROZEN-MID-TRANSACTION", COMMITTED = "committed ";
    static final int SHARD_BYTES = 4096;

    /** The tokenizer of {@link ShardWorkerTest}, trained the same way here and there. */
    static Tokenizer tokenizer() {
        List<String> texts = TestData.europarl(300).stream().map(l -> l[2]).toList();
        return BpeTrainer.train(texts, BpeTrainer.Config.of(512, NumberPolicy.SINGLE));
    }

    public static void main(String[] args) throws InterruptedException {
        AtomicBoolean committed = new AtomicBoolean();
        AtomicInteger sentAfterCommit = new AtomicInteger();
        ShardWorker w = new ShardWorker(
                tokenizer(),
                args[1],
                new ShardWorker.Settings(args[0], args[2], SHARD_BYTES, Duration.ofMillis(300)),
                new ShardWorker.Events() {
                    @Override
                    public void committed(ShardWorker w, int documents, int shards, long tokens) {
                        System.out.println(COMMITTED + documents + " documents in " + shards + " shards");
                        committed.set(true);
                    }

                    @Override
                    public void shardSent(ShardWorker w, TokenShard shard) {
                        if (committed.get() && sentAfterCommit.incrementAndGet() == 5) {
                            try {
                                // The producer's own thread sends what is batched (linger 5 ms): the open transaction's
                                // shards are on the broker before the test kills this process.
                                Thread.sleep(1000);
                                System.out.println(FROZEN);
                                System.out.flush();
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                });
        w.start();
        System.out.println("worker " + args[2] + " started for " + args[1]);
        Thread.sleep(Long.MAX_VALUE);
    }
}
