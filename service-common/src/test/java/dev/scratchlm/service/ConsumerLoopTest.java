package dev.scratchlm.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.SharedDevStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The consumer loop against the real (embedded) broker: poison, bounded retries, wake-up on close, readiness. */
class ConsumerLoopTest {
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 3);
    private final String bootstrap = SharedDevStack.get().bootstrapServers();

    @Test
    void poisonGoesToTheDeadLetterTopicAndIsCommittedPast() throws Exception {
        String topic = freshTopic();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (ConsumerLoop loop = ConsumerLoop.builder("poison-test", bootstrap, "g-" + topic, topic)
                .retry(QUICK)
                .records(r -> {
                    String v = text(r);
                    if (v.startsWith("{")) {
                        handled.add(v);
                        return "stored";
                    }
                    throw new ConsumerLoop.Poison("not JSON: " + v);
                })
                .build()
                .start()) {
            produce(topic, "{1}", "garbage", "{2}");
            await(() -> handled.size() == 2 && loop.count(ConsumerLoop.REJECTED) == 1);
            assertThat(handled).containsExactly("{1}", "{2}");
            assertThat(loop.count("stored")).isEqualTo(2);
            assertThat(loop.lastError()).isNull();
            await(() -> committed("g-" + topic, topic) == 3);
        }
        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.deadLetter(topic), 1);
        assertThat(text(dead.get(0))).isEqualTo("garbage");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.KIND)).isEqualTo("poison");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON))
                .isEqualTo("not JSON: garbage");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.OFFSET))
                .isEqualTo("1");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.GROUP)).isEqualTo("g-" + topic);
    }

    @Test
    void retriesAreBoundedAndReadinessShowsTheFailureMeanwhile() throws Exception {
        String topic = freshTopic();
        Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        LoopHealth health = new LoopHealth();
        Backoff slow = new Backoff(Duration.ofMillis(300), Duration.ofMillis(300), 4);
        try (ConsumerLoop loop = ConsumerLoop.builder("retry-test", bootstrap, "g-" + topic, topic)
                .retry(slow)
                .records(r -> {
                    String v = text(r);
                    int n = tries.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    if (v.equals("always") || (v.equals("twice") && n <= 2))
                        throw new IllegalStateException("database away (" + v + ")");
                    handled.add(v);
                    return "stored";
                })
                .build()
                .start()) {
            health.register(loop);
            produce(topic, "twice", "always", "after");
            // While "always" is being retried, readiness is down and says why.
            await(() -> tries.containsKey("always") && tries.get("always").get() >= 2);
            HealthCheckResponse during = health.call();
            assertThat(during.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(during.getData().orElseThrow().get("retry-test").toString())
                    .contains("database away (always)")
                    .contains("of 4");
            await(() -> handled.contains("after"));
            assertThat(handled).containsExactly("twice", "after"); // in order: nothing overtook the failing record
            assertThat(tries.get("twice").get()).isEqualTo(3);
            assertThat(tries.get("always").get()).isEqualTo(4);
            assertThat(loop.count(ConsumerLoop.FAILED)).isEqualTo(1);
            assertThat(health.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            await(() -> committed("g-" + topic, topic) == 3);
        }
        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.deadLetter(topic), 1);
        assertThat(text(dead.get(0))).isEqualTo("always");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.KIND)).isEqualTo("failed");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.ATTEMPTS))
                .isEqualTo("4");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON))
                .contains("gave up after 4 attempts")
                .contains("database away");
    }

    @Test
    void batchesRetryThenIsolateTheRecordThatKeepsFailing() throws Exception {
        String topic = freshTopic();
        Set<String> stored = ConcurrentHashMap.newKeySet();
        try (ConsumerLoop loop = ConsumerLoop.builder("batch-test", bootstrap, "g-" + topic, topic)
                .retry(QUICK)
                .batches((records, rejects) -> {
                    List<String> rows = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> r : records) {
                        if (text(r).equals("garbage")) rejects.poison(r, "unreadable");
                        else rows.add(text(r));
                    }
                    if (rows.contains("breaks-the-insert")) throw new IllegalStateException("constraint violated");
                    stored.addAll(rows);
                })
                .build()
                .start()) {
            produce(topic, "a", "garbage", "breaks-the-insert", "b");
            await(() -> stored.containsAll(List.of("a", "b"))
                    && loop.count(ConsumerLoop.FAILED) == 1
                    && loop.count(ConsumerLoop.REJECTED) == 1);
            assertThat(stored).doesNotContain("breaks-the-insert");
            assertThat(loop.count(ConsumerLoop.REJECTED)).isEqualTo(1);
            await(() -> committed("g-" + topic, topic) == 4);
        }
        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.deadLetter(topic), 2);
        assertThat(dead).extracting(ConsumerLoopTest::text).containsExactlyInAnyOrder("garbage", "breaks-the-insert");
    }

    @Test
    void closeWakesTheConsumerOutOfItsPoll() {
        String topic = freshTopic();
        ConsumerLoop loop = ConsumerLoop.builder("wakeup-test", bootstrap, "g-" + topic, topic)
                .pollTimeout(Duration.ofMinutes(5))
                .records(r -> "stored")
                .build()
                .start();
        await(loop::alive);
        await(() -> {
            try {
                return committedGroupExists("g-" + topic);
            } catch (Exception e) {
                return false;
            }
        });
        long t0 = System.nanoTime();
        loop.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(loop.alive()).isFalse();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private String freshTopic() {
        String topic = "loop-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(topic, 1, (short) 1), new NewTopic(Topics.deadLetter(topic), 1, (short) 1)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return topic;
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private void produce(String topic, String... values) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            for (String v : values)
                p.send(new ProducerRecord<>(topic, v, v.getBytes(StandardCharsets.UTF_8)))
                        .get();
        }
    }

    private long committed(String group, String topic) {
        try (Admin admin = admin()) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    private boolean committedGroupExists(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(List.of(group))
                            .all()
                            .get()
                            .get(group)
                            .members()
                            .size()
                    == 1;
        }
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "reader-" + UUID.randomUUID()))) {
            c.subscribe(List.of(topic));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < end)
                c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).hasSize(expected);
        return out;
    }

    private static String text(ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 60 s").isLessThan(end);
            Backoff.sleep(Duration.ofMillis(50));
        }
    }
}
