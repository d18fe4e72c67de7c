package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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

    private ConsumerLoop loop;
    private long storedBytes;
    private Counter seen;
    private Counter unreadable;

    void start() {
        storedBytes = samples.storedTextBytes();
        seen = registry.counter("tokenizer.sample.documents");
        unreadable = registry.counter("tokenizer.documents.unreadable", "stage", "sample");
        // At least once: a batch is written, then its offsets committed; the idempotent insert absorbs a replay.
        loop = ConsumerLoop.builder("document-sampler", bootstrapServers, GROUP, Topics.DOCUMENTS)
                .batches(this::store)
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

    private void store(List<ConsumerRecord<String, byte[]>> records, ConsumerLoop.Rejects rejects) {
        // Other replicas fill the same store: read its size once per batch, so together they overshoot the cap by
        // at most one batch each (while this replica is under it, a query per batch; at the cap, none).
        if (storedBytes < maxStoredBytes) storedBytes = samples.storedTextBytes();
        List<SampleRepository.Row> rows = new ArrayList<>(records.size());
        long pending = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            Document doc;
            try {
                doc = Json.read(r.value(), Document.class);
            } catch (RuntimeException e) {
                unreadable.increment();
                rejects.poison(r, "not a Document: " + e.getMessage());
                continue;
            }
            String id = doc.id() != null ? doc.id() : r.key();
            if (id == null || doc.text() == null) {
                unreadable.increment();
                rejects.poison(r, "document without " + (id == null ? "an id" : "text"));
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
