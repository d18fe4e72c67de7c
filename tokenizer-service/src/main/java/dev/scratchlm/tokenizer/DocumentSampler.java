package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every document on {@code documents} (id, language, date, split, size) and keeps its text while the sample
 * store is under {@code tokenizer.sample.max-stored-bytes}: the documents a tokenizer is trained from "so far".
 * First come, first kept: once the cap is reached later documents are counted but their text is not stored.
 */
@ApplicationScoped
public class DocumentSampler {
    private static final Logger LOG = Logger.getLogger(DocumentSampler.class);
    static final String GROUP = "tokenizer-sample";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "tokenizer.sample.max-stored-bytes")
    long maxStoredBytes;
    @Inject
    SampleRepository samples;
    @Inject
    MeterRegistry registry;

    private BackgroundLoop loop;
    private long storedBytes;
    private Counter seen;
    private Counter unreadable;

    void start() {
        storedBytes = samples.storedTextBytes();
        seen = registry.counter("tokenizer.sample.documents");
        unreadable = registry.counter("tokenizer.documents.unreadable", "stage", "sample");
        loop = CommittingConsumer.loop("document-sampler", bootstrapServers, GROUP, Topics.DOCUMENTS, this::store);
        loop.start();
    }

    void stop() {
        if (loop != null) loop.stop(Duration.ofSeconds(10));
    }

    String lastError() {
        return loop == null ? null : loop.lastError();
    }

    private void store(ConsumerRecords<String, byte[]> records) {
        // Other replicas fill the same store: read its size once per batch, so together they overshoot the cap by
        // at most one batch each (while this replica is under it, a query per batch; at the cap, none).
        if (storedBytes < maxStoredBytes) storedBytes = samples.storedTextBytes();
        List<SampleRepository.Row> rows = new ArrayList<>(records.count());
        long pending = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            Document doc;
            try {
                doc = Json.read(r.value(), Document.class);
            } catch (RuntimeException e) {
                unreadable.increment();
                LOG.warnf("skipping unreadable record at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                continue;
            }
            String id = doc.id() != null ? doc.id() : r.key();
            if (id == null || doc.text() == null) {
                unreadable.increment();
                LOG.warnf("skipping document without id or text at %s-%d@%d", r.topic(), r.partition(), r.offset());
                continue;
            }
            int bytes = doc.text().getBytes(StandardCharsets.UTF_8).length;
            boolean keep = storedBytes + pending + bytes <= maxStoredBytes;
            if (keep) pending += bytes;
            // PostgreSQL text cannot hold NUL; the sample only feeds training, so dropping it there is harmless.
            String text = keep ? doc.text().replace("\u0000", "") : null;
            rows.add(new SampleRepository.Row(id, doc.language(), doc.date(), Split.of(id), bytes, text));
        }
        if (rows.isEmpty()) return;
        storedBytes += samples.insert(rows);
        seen.increment(rows.size());
    }
}
