package dev.scratchlm.service;

import dev.scratchlm.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter: the record as it arrived (key, value, headers) on {@code <topic>.dlq}, with why in {@code dlq.*}
 * headers, so a person can see what failed and replay it.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** {@code poison}: can never be handled (bad bytes, an unknown schema); {@code failed}: retries ran out. */
    public static final String KIND = "dlq.kind";

    public static final String REASON = "dlq.reason";
    public static final String TOPIC = "dlq.topic";
    public static final String PARTITION = "dlq.partition";
    public static final String OFFSET = "dlq.offset";
    public static final String GROUP = "dlq.group";
    public static final String ATTEMPTS = "dlq.attempts";
    public static final String POISON = "poison";
    public static final String FAILED = "failed";
    private static final int MAX_REASON = 2000;

    public static ProducerRecord<String, byte[]> of(
            ConsumerRecord<String, byte[]> r, String group, String kind, String reason, int attempts) {
        List<Header> headers = new ArrayList<>();
        for (Header h : r.headers()) headers.add(h);
        String why = reason == null ? "" : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        headers.add(header(KIND, kind));
        headers.add(header(REASON, why));
        headers.add(header(TOPIC, r.topic()));
        headers.add(header(PARTITION, String.valueOf(r.partition())));
        headers.add(header(OFFSET, String.valueOf(r.offset())));
        headers.add(header(GROUP, group == null ? "" : group));
        headers.add(header(ATTEMPTS, String.valueOf(attempts)));
        return new ProducerRecord<>(Topics.deadLetter(r.topic()), null, r.key(), r.value(), headers);
    }

    /** A header's text, or null when absent. */
    public static String header(org.apache.kafka.common.header.Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
