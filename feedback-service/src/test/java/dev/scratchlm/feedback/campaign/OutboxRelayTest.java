package dev.scratchlm.feedback.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.feedback.Sql;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The crash the outbox must survive: a row's record reached the topic, but the process died before marking the row
 * sent. The next relay session finds the record by its id header and does not send it again; a row that never
 * reached the topic is sent, once.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class OutboxRelayTest {
    @Inject
    AgroalDataSource db;

    @Inject
    OutboxRelay relay;

    @Test
    void aRecordSentBeforeACrashIsNotSentAgainAndAnUnsentOneGoesOnce() throws Exception {
        String sentBeforeCrash = "rk-crash-" + UUID.randomUUID(), neverSent = "rk-pending-" + UUID.randomUUID();
        Instant later = Instant.now().plus(Duration.ofDays(1)); // not due: the running relay leaves them alone for now
        Sql.tx(db, c -> {
            Outbox.add(
                    c,
                    sentBeforeCrash,
                    Topics.RANKINGS,
                    "crash-task",
                    "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                    later);
            Outbox.add(
                    c, neverSent, Topics.RANKINGS, "crash-task", "{\"b\":2}".getBytes(StandardCharsets.UTF_8), later);
            return null;
        });
        // What a relay did before it died: the send, without the mark.
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            ProducerRecord<String, byte[]> rec =
                    new ProducerRecord<>(Topics.RANKINGS, "crash-task", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            rec.headers().add(Outbox.ID_HEADER, sentBeforeCrash.getBytes(StandardCharsets.UTF_8));
            p.send(rec).get();
        }
        relay.reconcile(); // what every new session does first
        assertThat(sent(sentBeforeCrash)).isTrue();
        assertThat(sent(neverSent)).isFalse();

        Sql.tx(db, c -> {
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE outbox SET available_at = now() WHERE id IN (?, ?)")) {
                s.setString(1, sentBeforeCrash);
                s.setString(2, neverSent);
                s.executeUpdate();
            }
            return null;
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!sent(neverSent) && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(sent(neverSent)).isTrue();
        List<String> ids = idsOnTopic();
        assertThat(ids.stream().filter(sentBeforeCrash::equals)).hasSize(1);
        assertThat(ids.stream().filter(neverSent::equals)).hasSize(1);
    }

    private boolean sent(String id) {
        return Sql.tx(db, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT sent_at IS NOT NULL FROM outbox WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() && r.getBoolean(1);
                }
            }
        });
    }

    private static List<String> idsOnTopic() {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                KafkaSettings.consumer(SharedDevStack.get().bootstrapServers(), "outbox-test-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.RANKINGS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader(Outbox.ID_HEADER);
                    if (h != null) out.add(new String(h.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
