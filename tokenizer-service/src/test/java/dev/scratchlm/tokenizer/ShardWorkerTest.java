package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.devstack.SharedDevStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shard worker on the real broker: exactly once across a crash, and two replicas sharing the partitions. */
class ShardWorkerTest {
    /** Small shards, so a few hundred documents make many shards and long documents get cut. */
    private static final int SHARD_BYTES = ShardWorkerProcess.SHARD_BYTES;

    private static String bootstrap;
    private static Tokenizer tokenizer;
    private final List<ShardWorker> started = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        bootstrap = SharedDevStack.get().bootstrapServers();
        tokenizer = ShardWorkerProcess.tokenizer();
    }

    @AfterEach
    void stopWorkers() {
        started.forEach(ShardWorker::stop);
    }

    private ShardWorker worker(String tokenizerId, String instance, ShardWorker.Events events) {
        ShardWorker w = new ShardWorker(
                tokenizer,
                tokenizerId,
                new ShardWorker.Settings(bootstrap, instance, SHARD_BYTES, Duration.ofMillis(300)),
                events);
        started.add(w);
        w.start();
        return w;
    }

    private static List<Document> batch(String nonce, int from, int count) {
        List<Document> docs = new ArrayList<>(TestData.documents(nonce, from, count, "xx"));
        // One document far longer than a shard, so it is cut across consecutive shards.
        docs.add(TestData.document(
                nonce + "-long-" + from,
                "A very long speech. ".repeat(1500) + "The end.",
                LocalDate.of(2011, 11, 11),
                "en"));
        return docs;
    }

    @Test
    void aWorkerKilledMidTransactionAndRestartedEncodesEveryDocumentExactlyOnce() {
        String tokenizerId = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        String nonce = tokenizerId;
        TestData.produce(bootstrap, batch(nonce, 0, 150));

        AtomicBoolean committedOnce = new AtomicBoolean();
        AtomicInteger sentAfterCommit = new AtomicInteger();
        ShardWorker first = worker(tokenizerId, "replica-0", new ShardWorker.Events() {
            @Override
            public void committed(ShardWorker w, int documents, int shards, long tokens) {
                committedOnce.set(true);
            }

            @Override
            public void shardSent(ShardWorker w, TokenShard shard) {
                // Mid-stream: some work committed, a transaction open with shards already on the broker.
                if (committedOnce.get() && sentAfterCommit.incrementAndGet() == 5) w.halt();
            }
        });
        TestData.await("the first worker to commit", Duration.ofSeconds(60), committedOnce::get);
        List<Document> second = batch(nonce, 150, 150);
        // Re-published documents (same id, same text): one committed before the crash, one from this batch.
        second.add(TestData.documents(nonce, 7, 1, "xx").get(0));
        second.add(second.get(3));
        TestData.produce(bootstrap, second);
        TestData.await("the first worker to die", Duration.ofSeconds(60), () -> !first.isRunning());
        assertThat(sentAfterCommit.get()).isGreaterThanOrEqualTo(5);

        // The same replica comes back: its transactional id aborts what the dead one left open.
        AtomicInteger duplicates = new AtomicInteger();
        ShardWorker restarted = worker(tokenizerId, "replica-0", new ShardWorker.Events() {
            @Override
            public void duplicate(
                    ShardWorker w, org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, String id) {
                duplicates.incrementAndGet();
            }
        });
        List<TestData.At<TokenShard>> committed = assertReplacedExactlyOnce(tokenizerId, restarted);
        assertThat(duplicates.get())
                .as("both re-published documents were recognised")
                .isEqualTo(2);
        assertThat(committed.stream()
                        .filter(s -> s.value().shardId().matches(".*-o\\d+-\\d+"))
                        .count())
                .as("the long documents were cut into parts")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aWorkerProcessKilledWithSigkillMidTransactionIsReplacedWithoutLossOrDuplicates() throws Exception {
        // A real crash: the worker's own JVM is killed while its transaction is open and its consumer is in the group.
        String tokenizerId = "sigkill-" + UUID.randomUUID().toString().substring(0, 8);
        TestData.produce(bootstrap, batch(tokenizerId, 0, 150));
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-") || a.startsWith("-Xmx"))
                .toList());
        cmd.addAll(List.of(
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp",
                System.getProperty("java.class.path"),
                ShardWorkerProcess.class.getName(),
                bootstrap,
                tokenizerId,
                "replica-k"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.util.Deque<String> tail = new java.util.concurrent.ConcurrentLinkedDeque<>();
            CompletableFuture<Boolean> committedOnce = new CompletableFuture<>(), frozen = new CompletableFuture<>();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader out = new BufferedReader(
                                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = out.readLine()) != null; ) {
                                if (line.startsWith(ShardWorkerProcess.COMMITTED)) committedOnce.complete(true);
                                if (line.contains(ShardWorkerProcess.FROZEN)) frozen.complete(true);
                                tail.addLast(line);
                                if (tail.size() > 40) tail.removeFirst();
                            }
                        } catch (IOException e) {
                            // the process is gone
                        }
                        committedOnce.complete(false);
                        frozen.complete(false);
                    },
                    "worker-process-output");
            reader.setDaemon(true);
            reader.start();
            assertThat(completes(committedOnce, 120))
                    .as("the worker process committed; its output ended with:%n%s", String.join("\n", tail))
                    .isTrue();
            TestData.produce(bootstrap, batch(tokenizerId, 150, 150)); // more work: it freezes in the next transaction
            assertThat(completes(frozen, 120))
                    .as("the worker process froze mid-transaction; its output ended with:%n%s", String.join("\n", tail))
                    .isTrue();
            child.destroyForcibly(); // SIGKILL: no close, no leave-group, no abort
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        } finally {
            child.destroyForcibly();
        }

        // The same replica comes back: its transactional id aborts the dead transaction, its instance id takes the
        // dead member's partitions at once (static membership), and it goes on from the committed offsets.
        assertReplacedExactlyOnce(tokenizerId, worker(tokenizerId, "replica-k", new ShardWorker.Events() {}));
    }

    /**
     * After a worker died mid-transaction and {@code restarted} took its place: every document on the topic ends up
     * encoded exactly once in committed shards, and the dead transaction's shards (at least 5) were aborted.
     * @return the committed shards
     */
    private List<TestData.At<TokenShard>> assertReplacedExactlyOnce(String tokenizerId, ShardWorker restarted) {
        Map<String, Document> docs = TestData.documentsOnTopic(bootstrap);
        int eot = tokenizer.specialId("<|endoftext|>");
        TestData.await(
                "every document encoded",
                Duration.ofSeconds(90),
                () -> TestData.documentsEnded(TestData.shards(bootstrap, tokenizerId, true), eot) >= docs.size());
        List<TestData.At<TokenShard>> committed = TestData.shards(bootstrap, tokenizerId, true);
        List<TestData.At<TokenShard>> everything = TestData.shards(bootstrap, tokenizerId, false);
        assertThat(everything.size())
                .as("the dead worker's shards reached the broker, in a transaction that was aborted")
                .isGreaterThanOrEqualTo(committed.size() + 5);
        TestData.assertEveryDocumentExactlyOnce(committed, docs, tokenizer);
        assertThat(restarted.documentsCommitted()).isPositive();
        return committed;
    }

    private static boolean completes(CompletableFuture<Boolean> f, int seconds) throws Exception {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Test
    void twoReplicasSplitThePartitionsAndTogetherEncodeEachDocumentOnce() {
        String tokenizerId = "pair-" + UUID.randomUUID().toString().substring(0, 8);
        ShardWorker a = worker(tokenizerId, "replica-a", new ShardWorker.Events() {});
        TestData.await(
                "replica a to hold every partition",
                Duration.ofSeconds(60),
                () -> a.assignedPartitions().size() == 4);
        ShardWorker b = worker(tokenizerId, "replica-b", new ShardWorker.Events() {});
        TestData.await(
                "both replicas to hold partitions",
                Duration.ofSeconds(60),
                () -> !a.assignedPartitions().isEmpty()
                        && !b.assignedPartitions().isEmpty()
                        && a.assignedPartitions().size()
                                        + b.assignedPartitions().size()
                                == 4);
        Set<Integer> union = new HashSet<>(a.assignedPartitions());
        union.addAll(b.assignedPartitions());
        assertThat(union).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(a.assignedPartitions()).doesNotContainAnyElementsOf(b.assignedPartitions());

        long aBefore = a.documentsCommitted();
        long bBefore = b.documentsCommitted();
        TestData.produce(bootstrap, batch(tokenizerId, 300, 200));
        Map<String, Document> docs = TestData.documentsOnTopic(bootstrap);
        int eot = tokenizer.specialId("<|endoftext|>");
        TestData.await(
                "every document encoded",
                Duration.ofSeconds(90),
                () -> TestData.documentsEnded(TestData.shards(bootstrap, tokenizerId, true), eot) >= docs.size());

        assertThat(a.documentsCommitted()).as("replica a encoded new documents").isGreaterThan(aBefore);
        assertThat(b.documentsCommitted()).as("replica b encoded new documents").isGreaterThan(bBefore);
        TestData.assertEveryDocumentExactlyOnce(TestData.shards(bootstrap, tokenizerId, true), docs, tokenizer);
    }
}
