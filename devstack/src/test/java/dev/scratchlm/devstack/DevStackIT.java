package dev.scratchlm.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.ChunkAssembler;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real broker and database the services run on: topics, transactions, chunked blobs and restarts. */
class DevStackIT {
    @TempDir
    Path dir;

    @Test
    void everyTopicExistsWithItsSpec() throws Exception {
        DevStack stack = SharedDevStack.get();
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            var described = admin.describeTopics(
                            Topics.ALL.stream().map(Topics.Spec::name).toList())
                    .allTopicNames()
                    .get();
            for (Topics.Spec spec : Topics.ALL) {
                assertThat(described.get(spec.name()).partitions())
                        .as(spec.name())
                        .hasSize(spec.partitions());
            }
        }
    }

    @Test
    void transactionsHideAbortedRecordsFromReadCommittedConsumers() throws Exception {
        DevStack stack = SharedDevStack.get();
        String topic = Topics.GENERATIONS;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaSettings.transactionalProducer(stack.bootstrapServers(), "tx-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted".getBytes(StandardCharsets.UTF_8)));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed".getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
        }
        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : drain(stack.bootstrapServers(), topic, 1)) {
            seen.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertThat(seen).contains("committed").doesNotContain("aborted");
    }

    @Test
    void aCheckpointLargerThanOneRecordCrossesTheBrokerIntact() throws Exception {
        DevStack stack = SharedDevStack.get();
        byte[] blob = new byte[3 * Chunks.CHUNK_BYTES + 77];
        new Random(7).nextBytes(blob);
        Path file = dir.resolve("ck.bin");
        Files.write(file, blob);
        String id = "ck-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(KafkaSettings.producer(stack.bootstrapServers()))) {
            Chunks.publish(
                    producer,
                    Topics.CHECKPOINTS,
                    id,
                    file,
                    s -> new CheckpointManifest(
                            1,
                            id,
                            "pretrain",
                            1,
                            null,
                            "tok",
                            Map.of(),
                            Map.of(),
                            Map.of(),
                            s.sizeBytes(),
                            s.chunkCount(),
                            s.sha256(),
                            Instant.now()));
        }
        ChunkAssembler assembler = new ChunkAssembler(dir.resolve("spool"));
        ChunkAssembler.Outcome complete = null;
        for (ConsumerRecord<String, byte[]> r : drain(stack.bootstrapServers(), Topics.CHECKPOINTS, 5)) {
            ChunkAssembler.Outcome o = assembler.accept(r);
            if (id.equals(r.key()) && o.status() == ChunkAssembler.Outcome.Status.COMPLETE) complete = o;
        }
        assertThat(complete).isNotNull();
        assertThat(Files.readAllBytes(complete.blob())).isEqualTo(blob);
    }

    @Test
    void postgresAnswersSql() throws Exception {
        DevStack stack = SharedDevStack.get();
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.user(), stack.password());
                ResultSet rs = c.createStatement().executeQuery("select 6 * 7")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void aStackWithADataDirectoryKeepsTopicsAndRowsAcrossRestarts() throws Exception {
        Path data = dir.resolve("data");
        try (DevStack first = DevStack.start(0, 0, data)) {
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(first.bootstrapServers()))) {
                producer.send(new ProducerRecord<>(Topics.RANKINGS, "task-1", "kept".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            try (Connection c = DriverManager.getConnection(first.jdbcUrl(), first.user(), first.password())) {
                c.createStatement().execute("create table kept(v text)");
                c.createStatement().execute("insert into kept values ('row')");
            }
        }
        try (DevStack second = DevStack.start(0, 0, data)) {
            List<ConsumerRecord<String, byte[]>> records = drain(second.bootstrapServers(), Topics.RANKINGS, 1);
            assertThat(records)
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("kept");
            try (Connection c = DriverManager.getConnection(second.jdbcUrl(), second.user(), second.password());
                    ResultSet rs = c.createStatement().executeQuery("select v from kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("row");
            }
        }
    }

    /** Everything currently on a topic, read from the beginning of every partition. */
    static List<ConsumerRecord<String, byte[]>> drain(String bootstrap, String topic, int minimum) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "drain-" + UUID.randomUUID()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                boolean atEnd = partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (atEnd && out.size() >= minimum) break;
            }
        }
        return out;
    }
}
