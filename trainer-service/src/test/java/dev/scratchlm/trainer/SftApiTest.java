package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stage sft end to end on the real broker and database: a chat tokenizer and its shards, a short pre-training job,
 * instruction examples on the instructions topic, an sft job over HTTP that memorizes them (its checkpoint then
 * answers each one exactly, greedily), carrying stage, parent, instruction sets and metrics; a tokenizer without
 * the chat template's special tokens is refused with a 400 that says so.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = FreshStateDir.class, restrictToAnnotatedClass = false)
class SftApiTest {
    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static final String CHAT_TOKENIZER = "chat-bytes-" + SUFFIX, PLAIN_TOKENIZER = "plain-bytes-" + SUFFIX;
    static final String FACTS = "facts-" + SUFFIX, E2E = "e2e-mini-" + SUFFIX;
    static final List<String[]> QA = List.of(
            new String[] {"What is the capital of France?", "Paris."},
            new String[] {"Name a primary colour.", "Red is one."},
            new String[] {"How many legs has a spider?", "Eight legs."},
            new String[] {"Say hello.", "Hello there!"});
    static boolean produced;

    @TestHTTPResource("/")
    URL url;

    @Inject
    TrainerService trainer;

    String base() {
        return url.toString().endsWith("/") ? url.toString() : url + "/";
    }

    @BeforeEach
    void corpusAndExamples() throws Exception {
        if (produced) return;
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(SharedDevStack.get().bootstrapServers()))) {
            for (TokenizerRecord t :
                    List.of(TestCorpus.chatTokenizer(CHAT_TOKENIZER), TestCorpus.tokenizer(PLAIN_TOKENIZER))) {
                p.send(new ProducerRecord<>(Topics.TOKENIZERS, t.id(), Json.bytes(t)))
                        .get();
                for (TokenShard s : TestCorpus.shards(t.id(), TokenShard.TRAIN, 2, 30, 5)) {
                    p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode()))
                            .get();
                }
                for (TokenShard s : TestCorpus.shards(t.id(), TokenShard.VAL, 1, 30, 6)) {
                    p.send(new ProducerRecord<>(Topics.TOKEN_SHARDS, s.shardId(), s.encode()))
                            .get();
                }
            }
            for (InstructionExample e : examples()) {
                p.send(new ProducerRecord<>(Topics.INSTRUCTIONS, e.id(), Json.bytes(e)))
                        .get();
                p.send(new ProducerRecord<>(Topics.INSTRUCTIONS, e.id(), Json.bytes(e)))
                        .get(); // re-delivered: stored once
            }
            p.send(new ProducerRecord<>(
                            Topics.INSTRUCTIONS, "broken", "{\"schema\": 2, \"id\": \"broken\"}".getBytes()))
                    .get();
        }
        produced = true;
        Api.awaitTokenizer(base(), CHAT_TOKENIZER, 2);
        Api.awaitTokenizer(base(), PLAIN_TOKENIZER, 2);
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end
                && trainer.instructions().counts().getOrDefault(E2E, Map.of()).get("heldout") == null)
            Thread.sleep(100);
    }

    static List<InstructionExample> examples() {
        List<InstructionExample> out = new ArrayList<>();
        for (int i = 0; i < QA.size(); i++) {
            out.add(new InstructionExample(
                    InstructionExample.SCHEMA,
                    "qa-" + SUFFIX + "-" + i,
                    FACTS,
                    "openai",
                    InstructionExample.TRAIN,
                    "qa-" + i,
                    List.of(ChatMessage.user(QA.get(i)[0]), ChatMessage.assistant(QA.get(i)[1]))));
        }
        String[][] e2e = {
            {"name[The Vaults], eatType[pub]", "The Vaults is a pub.", InstructionExample.TRAIN},
            {"name[Blue Spice], eatType[coffee shop]", "Blue Spice is a coffee shop.", InstructionExample.TRAIN},
            {"name[Zizzi], eatType[pub]", "Zizzi is a pub.", InstructionExample.HELDOUT},
            {"name[Zizzi], eatType[pub]", "There is a pub called Zizzi.", InstructionExample.HELDOUT}
        };
        for (int i = 0; i < e2e.length; i++) {
            out.add(new InstructionExample(
                    InstructionExample.SCHEMA,
                    "e2e-" + SUFFIX + "-" + i,
                    E2E,
                    "e2e",
                    e2e[i][2],
                    e2e[i][0],
                    List.of(
                            ChatMessage.user("Describe this restaurant: " + e2e[i][0]),
                            ChatMessage.assistant(e2e[i][1]))));
        }
        return out;
    }

    /** A short pre-training job on a tokenizer; returns its final checkpoint id. */
    String pretrain(String tokenizer) throws Exception {
        TestHttp.Reply r = Api.HTTP.post(
                base() + "api/jobs",
                "{\"stage\": \"pretrain\", \"tokenizerId\": \"" + tokenizer + "\", "
                        + "\"model\": {\"nLayer\": 2, \"nHead\": 2, \"nEmbd\": 48, \"blockSize\": 128, \"dropout\": 0.0}, "
                        + "\"steps\": 10, \"batchSize\": 4, \"lr\": 0.003, \"warmupSteps\": 2}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        Map<String, Object> job = Api.awaitJob(base(), (String) r.map().get("id"), Duration.ofMinutes(2));
        assertThat(job.get("state")).as(String.valueOf(job.get("error"))).isEqualTo("done");
        return (String) job.get("lastCheckpointId");
    }

    @Test
    void memorizesAHandfulOfExamplesAndAnswersThemExactly() throws Exception {
        String parent = pretrain(CHAT_TOKENIZER);
        TestHttp.Reply r = Api.HTTP.post(
                base() + "api/jobs",
                "{\"stage\": \"sft\", \"parent\": \"" + parent + "\", "
                        + "\"data\": {\"datasets\": [\"" + FACTS + "\", \"" + E2E + "\"]}, "
                        + "\"steps\": 200, \"batchSize\": 4, \"lr\": 0.003, \"warmupSteps\": 10, \"weightDecay\": 0.0, \"evalEvery\": 50}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        Map<?, ?> plan = (Map<?, ?>) r.map().get("plan");
        assertThat(plan.get("stage")).isEqualTo("sft");
        assertThat(plan.get("tokenizerId")).isEqualTo(CHAT_TOKENIZER);
        // 4 facts + 2 e2e train (re-delivered records count once) + the identity turns that fit the context.
        assertThat(((Number) ((Map<?, ?>) plan.get("sft")).get("examples")).intValue())
                .isGreaterThan(6);
        String id = (String) r.map().get("id");
        Map<String, Object> job = Api.awaitJob(base(), id, Duration.ofMinutes(4));
        assertThat(job.get("state")).as(String.valueOf(job.get("error"))).isEqualTo("done");
        assertThat(job.get("stage")).isEqualTo("sft");

        // Evaluation: held-out loss, and BLEU / slot error of the greedy answer to the held-out MR.
        @SuppressWarnings("unchecked")
        Map<String, Object> ev = (Map<String, Object>) job.get("evaluation");
        assertThat(ev).containsKeys("heldoutLoss", "bleu", "slotError", "samples");
        assertThat(((Number) ev.get("evalMrs")).intValue()).isEqualTo(1);
        assertThat(((Number) job.get("bleu")).doubleValue()).isBetween(0.0, 1.0);
        assertThat(((Number) job.get("slotError")).doubleValue()).isBetween(0.0, 1.0);
        assertThat(((Number) job.get("heldoutLoss")).doubleValue()).isPositive();
        Map<?, ?> sets = (Map<?, ?>) ev.get("instructionSets");
        assertThat(((Map<?, ?>) sets.get(FACTS)).get("train")).isEqualTo(4);
        assertThat(((Map<?, ?>) sets.get(E2E)).get("heldout")).isEqualTo(2);
        // Identity turns from the parent's card; with byte-level tokens the longer answers exceed the context of 128
        // and are left out, counted - never cut.
        Map<?, ?> identity = (Map<?, ?>) sets.get("identity");
        assertThat(((Number) identity.get("train")).intValue()).isPositive();
        assertThat(((Number) identity.get("tooLong")).intValue()).isPositive();

        // The checkpoint: stage sft, its parent, the instruction sets with counts, the metrics.
        String ckpt = (String) job.get("lastCheckpointId");
        Map<String, Object> c = Api.HTTP.get(base() + "api/checkpoints/" + ckpt).map();
        assertThat(c.get("stage")).isEqualTo("sft");
        assertThat(c.get("parent")).isEqualTo(parent);
        CheckpointManifest m = Json.MAPPER.convertValue(c.get("manifest"), CheckpointManifest.class);
        assertThat(m.stage()).isEqualTo("sft");
        assertThat(m.parentId()).isEqualTo(parent);
        assertThat(m.metrics()).containsKeys("bleu", "slotError", "valLoss", "trainExamples");
        assertThat(((Map<?, ?>) m.lineage().get("instructionSets")).keySet())
                .map(Object::toString)
                .containsExactlyInAnyOrder(FACTS, E2E, "identity");
        assertThat((List<?>) m.lineage().get("stages")).hasSize(2);
        assertThat(m.lineage()).containsKey("knowledgeCutoff"); // the parent's cutoff is still the model's

        // Any checkpoint measured on the held-out MRs on request: the same greedy answers and scores as the job's.
        TestHttp.Reply e = Api.HTTP.post(
                base() + "api/checkpoints/" + ckpt + "/evaluate/e2e", "{\"datasets\": [\"" + E2E + "\"]}");
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        assertThat(((Number) e.map().get("mrs")).intValue()).isEqualTo(1);
        assertThat(((Number) e.map().get("bleu")).doubleValue()).isEqualTo(((Number) job.get("bleu")).doubleValue());
        assertThat(((Number) e.map().get("slotError")).doubleValue())
                .isEqualTo(((Number) job.get("slotError")).doubleValue());
        assertThat(((Map<?, ?>) ((List<?>) e.map().get("samples")).get(0)).get("mr"))
                .isEqualTo("name[Zizzi], eatType[pub]");
        for (String bad : List.of(
                "{\"bestOf\": 4}",
                "{\"bestOf\": 40, \"rewardModel\": \"x\"}",
                "{\"limit\": 0}",
                "{\"excludeCampaigns\": [\"no-such-campaign\"]}",
                "{\"datasets\": [\"" + FACTS + "\"]}",
                "{\"bestOf\": 2, \"rewardModel\": \"" + parent + "\", \"datasets\": [\"" + E2E + "\"]}")) {
            TestHttp.Reply refused = Api.HTTP.post(base() + "api/checkpoints/" + ckpt + "/evaluate/e2e", bad);
            assertThat(refused.status()).as(bad + " -> " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).as(bad).contains("error");
        }

        // The fine-tuned model answers each training prompt exactly, greedily.
        Path file = Path.of(trainer.checkpoints().find(ckpt).orElseThrow().path());
        Checkpoint weights;
        try (InputStream in = Files.newInputStream(file)) {
            weights = Checkpoint.readWeightsOnly(in);
        }
        assertThat(weights.metadata())
                .containsEntry("stage", "sft")
                .containsEntry("parent", parent)
                .containsKey("instructionSets");
        Gpt model = weights.toModel(1);
        model.setTraining(false);
        ChatTemplate template = new ChatTemplate(ScratchFormat.fromText(
                trainer.tokenizers().definition(CHAT_TOKENIZER).orElseThrow()));
        List<List<ChatMessage>> prompts = new ArrayList<>(
                QA.stream().map(q -> List.of(ChatMessage.user(q[0]))).toList());
        prompts.add(List.of(ChatMessage.user("How many parameters do you have?")));
        List<String> expected = new ArrayList<>(QA.stream().map(q -> q[1]).toList());
        expected.add(String.format(java.util.Locale.ENGLISH, "I have %,d parameters.", model.parameterCount()));
        List<String> answers = ChatAnswers.greedy(model, template, prompts);
        assertThat(answers).containsExactlyElementsOf(expected);
    }

    /** A model that left as a GPT-2-layout directory and came back through ./scratchlm import is fine-tuned like our own. */
    @Test
    void fineTunesAnImportedModel(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String original = pretrain(CHAT_TOKENIZER);
        Checkpoint weights;
        try (InputStream in = Files.newInputStream(
                Path.of(trainer.checkpoints().find(original).orElseThrow().path()))) {
            weights = Checkpoint.readWeightsOnly(in);
        }
        var tokenizer = ScratchFormat.fromText(
                trainer.tokenizers().definition(CHAT_TOKENIZER).orElseThrow());
        // Exported with its card: the import keeps the knowledge cutoff the identity turns state.
        CheckpointManifest originalManifest =
                Json.read(trainer.checkpoints().find(original).orElseThrow().manifest(), CheckpointManifest.class);
        var tokRecord = new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                CHAT_TOKENIZER,
                tokenizer.vocabSize(),
                "gpt2",
                "gpt2",
                tokenizer.specialTokens(),
                "",
                Map.of(),
                java.time.Instant.now());
        var card = dev.scratchlm.bundle.ModelCard.of(
                originalManifest, id -> null, weights.config(), tokenizer, tokRecord, null);
        dev.scratchlm.bundle.ModelBundle.write(weights, original, tokenizer, card, dir);
        CheckpointManifest imported = dev.scratchlm.bundle.ImportMain.publish(
                dir, SharedDevStack.get().bootstrapServers());

        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (trainer.checkpoints().find(imported.checkpointId()).isEmpty()) {
            assertThat(System.nanoTime()).as("the trainer registers the import").isLessThan(end);
            Thread.sleep(100);
        }
        var row = trainer.checkpoints().find(imported.checkpointId()).orElseThrow();
        assertThat(row.stage()).isEqualTo("imported");
        assertThat(row.jobId()).isNull();
        assertThat(row.publishedAt())
                .as("already on the topic: never sent again")
                .isNotNull();
        try (InputStream in = Files.newInputStream(Path.of(row.path()))) {
            assertThat(Checkpoint.readWeightsOnly(in).weights()).isEqualTo(weights.weights());
        }

        TestHttp.Reply r = Api.HTTP.post(
                base() + "api/jobs",
                "{\"stage\": \"sft\", \"parent\": \"" + imported.checkpointId() + "\", "
                        + "\"data\": {\"datasets\": [\"" + FACTS
                        + "\"]}, \"steps\": 20, \"batchSize\": 4, \"lr\": 0.003, \"warmupSteps\": 2}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        Map<String, Object> job = Api.awaitJob(base(), (String) r.map().get("id"), Duration.ofMinutes(2));
        assertThat(job.get("state")).as(String.valueOf(job.get("error"))).isEqualTo("done");
        CheckpointManifest tuned = Json.MAPPER.convertValue(
                Api.HTTP
                        .get(base() + "api/checkpoints/" + job.get("lastCheckpointId"))
                        .map()
                        .get("manifest"),
                CheckpointManifest.class);
        assertThat(tuned.stage()).isEqualTo("sft");
        assertThat(tuned.parentId()).isEqualTo(imported.checkpointId());
        assertThat(tuned.tokenizerId()).isEqualTo(imported.tokenizerId());
        assertThat(tuned.lineage().get("knowledgeCutoff"))
                .isEqualTo(originalManifest.lineage().get("knowledgeCutoff"));
    }

    @Test
    void refusesATokenizerWithoutTheChatTemplatesSpecialTokens() throws Exception {
        String parent = pretrain(PLAIN_TOKENIZER);
        TestHttp.Reply r = Api.HTTP.post(
                base() + "api/jobs",
                "{\"stage\": \"sft\", \"parent\": \"" + parent + "\", " + "\"data\": {\"datasets\": [\"" + FACTS
                        + "\"]}, \"steps\": 10, \"lr\": 0.001}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.error())
                .contains(PLAIN_TOKENIZER)
                .contains("special tokens")
                .contains("<|assistant|>");
    }

    @Test
    void refusesAnSftJobWithoutDataOrWithAnUnknownSet() throws Exception {
        TestHttp.Reply r = Api.HTTP.post(
                base() + "api/jobs", "{\"stage\": \"sft\", \"data\": {\"datasets\": [\"nope\"]}, \"lr\": 0.001}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body())
                .contains("parent is required")
                .contains("instruction set 'nope'")
                .contains("steps or epochs");
    }
}
