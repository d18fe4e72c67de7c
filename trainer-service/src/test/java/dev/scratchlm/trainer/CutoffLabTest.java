package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.DocumentSpan;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Rng;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The knowledge-cutoff lab in miniature, on the real broker and database: dated documents on token-shards, two jobs
 * identical but for the cutoff, each trained only on its documents (lineage and counts), both scored by date window;
 * a cutoff that selects nothing and a window without held-out documents are refused with a 400.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FreshStateDir.class, restrictToAnnotatedClass = false)
class CutoffLabTest {
    static final String TOKENIZER =
            "bytes-cutoff-" + UUID.randomUUID().toString().substring(0, 8);

    @TestHTTPResource("/")
    URL url;

    String base() {
        return url.toString().endsWith("/") ? url.toString() : url + "/";
    }

    /** One shard of {@code docs} documents, document d dated {@code dates[d % dates.length]}. */
    static TokenShard datedShard(String id, String split, int docs, LocalDate[] dates, Rng rng) {
        List<String> ids = new ArrayList<>();
        List<DocumentSpan> spans = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        LocalDate latest = null;
        for (int d = 0; d < docs; d++) {
            byte[] text = TestCorpus.document(rng).getBytes(StandardCharsets.UTF_8);
            LocalDate date = dates[d % dates.length];
            ids.add(id + "-" + d);
            spans.add(new DocumentSpan(date, tokens.size(), text.length + 1, text.length));
            for (byte b : text) tokens.add(b & 0xff);
            tokens.add(TestCorpus.EOT);
            if (date != null && (latest == null || date.isAfter(latest))) latest = date;
        }
        int[] t = tokens.stream().mapToInt(Integer::intValue).toArray();
        return new TokenShard(TokenShard.SCHEMA, id, TOKENIZER, split, ids, t.length, 2, t, latest, spans);
    }

    static String job(String cutoff) {
        return "{\"stage\": \"pretrain\", \"tokenizerId\": \"" + TOKENIZER + "\", \"cutoff\": \"" + cutoff + "\", "
                + "\"model\": {\"nLayer\": 1, \"nHead\": 2, \"nEmbd\": 32, \"blockSize\": 32, \"dropout\": 0.0}, "
                + "\"steps\": 30, \"batchSize\": 8, \"lr\": 0.003, \"warmupSteps\": 3, \"evalEvery\": 30, \"evalBatches\": 2}";
    }

    @SuppressWarnings("unchecked")
    @Test
    void twoModelsDifferingOnlyInTheCutoffAreTrainedAndScoredByDateWindow() throws Exception {
        LocalDate early = LocalDate.of(2003, 6, 1),
                onCutoff = LocalDate.of(2005, 12, 31),
                late = LocalDate.of(2008, 3, 3);
        Rng rng = new Rng(11);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            p.send(new ProducerRecord<>(Topics.TOKENIZERS, TOKENIZER, Json.bytes(TestCorpus.tokenizer(TOKENIZER))))
                    .get();
            // train: 20 documents early / on the cutoff day / late / undated in turn; val: 8 early, 8 late
            p.send(new ProducerRecord<>(
                            Topics.TOKEN_SHARDS,
                            TOKENIZER + "-t0",
                            datedShard(
                                            TOKENIZER + "-t0",
                                            "train",
                                            20,
                                            new LocalDate[] {early, onCutoff, late, null},
                                            rng)
                                    .encode()))
                    .get();
            p.send(new ProducerRecord<>(
                            Topics.TOKEN_SHARDS,
                            TOKENIZER + "-v0",
                            datedShard(TOKENIZER + "-v0", "val", 16, new LocalDate[] {early, late}, rng)
                                    .encode()))
                    .get();
        }
        Api.awaitTokenizer(base(), TOKENIZER, 1);
        Map<String, Object> years =
                Api.HTTP.get(base() + "api/tokenizers/" + TOKENIZER + "/years").map();
        assertThat((Map<String, Object>) years.get("train"))
                .containsEntry("2003", 5)
                .containsEntry("2005", 5)
                .containsEntry("2008", 5)
                .containsEntry("undated", 5);

        TestHttp.Reply none = Api.HTTP.post(base() + "api/jobs", job("1999-12-31"));
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body()).contains("selects no training documents");

        String earlyJob = (String)
                Api.HTTP.post(base() + "api/jobs", job("2005-12-31")).map().get("id");
        String lateJob = (String)
                Api.HTTP.post(base() + "api/jobs", job("2010-12-31")).map().get("id");
        Map<String, Object> e = Api.awaitJob(base(), earlyJob, Duration.ofMinutes(2));
        Map<String, Object> l = Api.awaitJob(base(), lateJob, Duration.ofMinutes(2));
        assertThat(e.get("state")).as(e.toString()).isEqualTo("done");
        assertThat(l.get("state")).as(l.toString()).isEqualTo("done");
        assertThat((String) e.get("cutoffNote")).contains("undated documents are excluded");

        Map<String, Object> earlyLineage = lineage((String) e.get("lastCheckpointId"));
        assertThat(earlyLineage)
                .containsEntry("cutoff", "2005-12-31")
                .containsEntry("selectedDocuments", 10)
                .containsEntry("newestTrainedDate", "2005-12-31")
                .containsEntry("knowledgeCutoff", "2005-12-31")
                .containsEntry("undatedDocumentsExcluded", 5);
        Map<String, Object> lateLineage = lineage((String) l.get("lastCheckpointId"));
        assertThat(lateLineage).containsEntry("selectedDocuments", 15).containsEntry("newestTrainedDate", "2008-03-03");

        for (String ck : List.of((String) e.get("lastCheckpointId"), (String) l.get("lastCheckpointId"))) {
            Map<String, Object> before = Api.HTTP
                    .post(base() + "api/checkpoints/" + ck + "/evaluate", "{\"from\": null, \"to\": \"2005-12-31\"}")
                    .map();
            Map<String, Object> between = Api.HTTP
                    .post(
                            base() + "api/checkpoints/" + ck + "/evaluate",
                            "{\"from\": \"2005-12-31\", \"to\": \"2010-12-31\"}")
                    .map();
            assertThat(before.get("documents")).isEqualTo(8);
            assertThat(between.get("documents")).isEqualTo(8);
            assertThat(((Number) before.get("bitsPerByte")).doubleValue()).isBetween(0.1, 8.5);
            assertThat(((Number) between.get("bitsPerByte")).doubleValue()).isBetween(0.1, 8.5);
        }
        TestHttp.Reply empty = Api.HTTP.post(
                base() + "api/checkpoints/" + e.get("lastCheckpointId") + "/evaluate",
                "{\"from\": \"2010-12-31\", \"to\": \"2020-12-31\"}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).contains("no held-out documents");
        assertThat(Api.HTTP
                        .post(
                                base() + "api/checkpoints/" + e.get("lastCheckpointId") + "/evaluate",
                                "{\"to\": \"soon\"}")
                        .status())
                .isEqualTo(400);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> lineage(String checkpointId) throws Exception {
        Map<String, Object> c =
                Api.HTTP.get(base() + "api/checkpoints/" + checkpointId).map();
        return (Map<String, Object>) ((Map<String, Object>) c.get("manifest")).get("lineage");
    }
}
