package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Small HTTP and Kafka helpers for the service tests: JSON in and out, and producing a byte-level corpus. */
final class Api {
    record Reply(int status, String body) {
        Map<String, Object> json() {
            return Json.read(body, Map.class);
        }

        List<Map<String, Object>> list() {
            try {
                return Json.MAPPER.readValue(body, new TypeReference<>() {});
            } catch (Exception e) {
                throw new AssertionError("not a JSON list: " + body, e);
            }
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Api() {}

    static Reply get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply post(String url, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** A tokenizer record and its train/val shards, produced on the real topics as the tokenizer service would. */
    static void produceCorpus(String bootstrap, String tokenizerId, int trainShards, int docsPerShard, long seed) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, tokenizerId, Json.bytes(TestCorpus.tokenizer(tokenizerId)))).get();
            for (TokenShard s : TestCorpus.shards(tokenizerId, TokenShard.TRAIN, trainShards, docsPerShard, seed)) {
                p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode())).get();
            }
            for (TokenShard s : TestCorpus.shards(tokenizerId, TokenShard.VAL, 1, docsPerShard, seed + 1)) {
                p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode())).get();
            }
        }
    }

    /** Waits until the trainer lists the tokenizer as trainable with all its shards stored. */
    static Map<String, Object> awaitTokenizer(String base, String tokenizerId, int trainShards) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            for (Map<String, Object> t : get(base + "api/tokenizers").list()) {
                if (t.get("id").equals(tokenizerId) && Boolean.TRUE.equals(t.get("trainable"))
                        && ((Number) t.get("trainShards")).intValue() == trainShards && ((Number) t.get("valShards")).intValue() == 1) {
                    return t;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("tokenizer " + tokenizerId + " never became trainable: " + get(base + "api/tokenizers").body());
    }

    static Map<String, Object> awaitJob(String base, String id, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, Object> job = null;
        while (System.nanoTime() < end) {
            job = get(base + "api/jobs/" + id).json();
            String state = (String) job.get("state");
            if (state.equals("done") || state.equals("stopped") || state.equals("failed")) return job;
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish in " + timeout + ": " + job);
    }
}
