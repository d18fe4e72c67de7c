package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.TestHttp;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The trainer tests' helpers: producing a byte-level corpus on Kafka, and waiting for the API to report it. */
final class Api {
    /** Full URLs: the tests build them from their @TestHTTPResource. */
    static final TestHttp HTTP = new TestHttp();

    private Api() {}

    /** A tokenizer record and its train/val shards, produced on the real topics as the tokenizer service would. */
    static void produceCorpus(String bootstrap, String tokenizerId, int trainShards, int docsPerShard, long seed)
            throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, tokenizerId, Json.bytes(TestCorpus.tokenizer(tokenizerId))))
                    .get();
            for (TokenShard s : TestCorpus.shards(tokenizerId, TokenShard.TRAIN, trainShards, docsPerShard, seed)) {
                p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode()))
                        .get();
            }
            for (TokenShard s : TestCorpus.shards(tokenizerId, TokenShard.VAL, 1, docsPerShard, seed + 1)) {
                p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode()))
                        .get();
            }
        }
    }

    /** Waits until the trainer lists the tokenizer as trainable with all its shards stored. */
    static Map<String, Object> awaitTokenizer(String base, String tokenizerId, int trainShards) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            for (Map<String, Object> t : HTTP.get(base + "api/tokenizers").list()) {
                if (t.get("id").equals(tokenizerId)
                        && Boolean.TRUE.equals(t.get("trainable"))
                        && ((Number) t.get("trainShards")).intValue() == trainShards
                        && ((Number) t.get("valShards")).intValue() == 1) {
                    return t;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("tokenizer " + tokenizerId + " never became trainable: "
                + HTTP.get(base + "api/tokenizers").body());
    }

    static Map<String, Object> awaitJob(String base, String id, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, Object> job = null;
        while (System.nanoTime() < end) {
            job = HTTP.get(base + "api/jobs/" + id).map();
            String state = (String) job.get("state");
            if (state.equals("done") || state.equals("stopped") || state.equals("failed")) return job;
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish in " + timeout + ": " + job);
    }
}
