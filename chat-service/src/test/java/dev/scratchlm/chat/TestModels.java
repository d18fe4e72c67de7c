package dev.scratchlm.chat;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Chunks;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.gpt.AdamW;
import dev.scratchlm.gpt.BatchSource;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.LrSchedule;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.gpt.TrainerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The inputs the tests serve, made for real and published on the real broker, once per test JVM: a tiny BPE
 * tokenizer with the chat special tokens, a base model trained for a few hundred steps on a small text, and a
 * "chat" model overfit on one conversation whose answer is HTML markup (so the page must show it as text).
 */
final class TestModels {
    static final String CORPUS = """
            The cat sat on the mat. The dog sat on the log. A bird sang in the tree, and the cat looked up.
            The dog ran to the tree. The bird flew away over the hill, and the sun went down behind the hill.
            In the morning the cat came back to the mat, the dog came back to the log, and the bird sang again.
            Numbers: 12 cats, 345 dogs, 6789 birds. The end of the story is the start of another one.
            """;
    /** What the chat model answers to "hi": markup that must never become elements in the page. */
    static final String MARKUP = "<img src=x onerror=alert(1)><b>bold</b>";

    static final String HELLO = "hi";

    record Published(String tokenizerId, String baseId, String chatId, long baseParameters, String knowledgeCutoff) {}

    private static Published published;
    static Tokenizer tokenizer;

    private TestModels() {}

    /** Trains and publishes everything once; later calls return the same ids. */
    static synchronized Published publish(String bootstrap) throws IOException {
        if (published != null) return published;
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 4; i++) docs.add(CORPUS);
        docs.add(MARKUP + " " + HELLO);
        tokenizer = BpeTrainer.train(
                docs, BpeTrainer.Config.of(256 + ChatTemplate.SPECIAL_TOKENS.size() + 60, NumberPolicy.GPT2));
        TokenizerRecord tr = tokenizerRecord(tokenizer);

        GptConfig cfg = new GptConfig(tokenizer.vocabSize(), 64, 2, 2, 64, 0f);
        int[] corpusIds = tokenizer.encodeOrdinary(CORPUS.repeat(3));
        Gpt base = train(cfg, corpusIds, 250, 1);
        int[] convo = new ChatTemplate(tokenizer)
                .render(List.of(ChatMessage.user(HELLO), ChatMessage.assistant(MARKUP)))
                .ids();
        Gpt chat = train(cfg, convo, 300, 2);

        String baseId = "test-pretrain-" + run;
        String chatId = "test-sft-" + run;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap))) {
            producer.send(new ProducerRecord<>(Topics.TOKENIZERS, tr.id(), Json.bytes(tr)))
                    .get();
            publishCheckpoint(producer, base, baseId, "pretrain", null, tr.id(), 250);
            publishCheckpoint(producer, chat, chatId, "sft", baseId, tr.id(), 300);
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
        published = new Published(tr.id(), baseId, chatId, base.parameterCount(), "2024-05-31");
        return published;
    }

    static TokenizerRecord tokenizerRecord(Tokenizer t) {
        return new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                t.id(),
                t.vocabSize(),
                t.patternName(),
                t.numberPolicy().id(),
                t.specialTokens(),
                ScratchFormat.toText(t),
                Map.of("documents", 5),
                Instant.now());
    }

    /** Trains on windows of {@code ids} (one sequence repeated when it fits the context). */
    static Gpt train(GptConfig cfg, int[] ids, int steps, long seed) {
        int t = Math.min(cfg.blockSize(), ids.length - 1);
        TrainerConfig tc = new TrainerConfig(
                4, t, 1, new LrSchedule(3e-3f, 3e-4f, 20, steps), new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0f), 1f);
        Trainer trainer = new Trainer(cfg, tc, seed);
        long[] cursor = {0};
        BatchSource source = (inputs, targets, mask, b, len) -> {
            for (int r = 0; r < b; r++) {
                int start = (int) (cursor[0]++ * 7 % Math.max(1, ids.length - len));
                for (int i = 0; i < len; i++) {
                    inputs[r * len + i] = ids[start + i];
                    targets[r * len + i] = ids[start + i + 1];
                }
            }
            return false;
        };
        for (int s = 0; s < steps; s++) trainer.step(source);
        return trainer.model();
    }

    static void publishCheckpoint(
            KafkaProducer<String, byte[]> producer,
            Gpt model,
            String id,
            String stage,
            String parent,
            String tokenizerId,
            long step)
            throws IOException {
        Checkpoint ck = Checkpoint.weightsOnly(model, tokenizerId, Map.of("stage", stage), Map.of("valLoss", 1.5));
        Path file = Files.createTempFile("chat-test-ckpt", ".bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            ck.write(out);
        }
        Map<String, Object> lineage = new LinkedHashMap<>();
        lineage.put("documents", 5);
        lineage.put("tokens", 1234);
        // What trainer-service writes: the count, and the shards with their documents and tokens.
        lineage.put("shardCount", 2);
        lineage.put(
                "shards",
                Map.of(
                        "shard-a",
                        Map.of("documents", 3, "tokens", 800),
                        "shard-b",
                        Map.of("documents", 2, "tokens", 434)));
        lineage.put("knowledgeCutoff", "2024-05-31");
        // A job restricted by a cutoff: what the trainer adds to the lineage.
        lineage.put("cutoff", "2024-06-30");
        lineage.put("selectedDocuments", 5);
        lineage.put("selectedTokens", 1234);
        lineage.put("newestTrainedDate", "2024-05-31");
        Map<String, Object> modelMap = Map.of(
                "nLayer", model.config().nLayer(), "nEmbd", model.config().nEmbd());
        Chunks.publish(
                producer,
                Topics.CHECKPOINTS,
                id,
                file,
                s -> new CheckpointManifest(
                        CheckpointManifest.SCHEMA,
                        id,
                        stage,
                        step,
                        parent,
                        tokenizerId,
                        modelMap,
                        lineage,
                        Map.of("valLoss", 1.5, "trainLoss", 1.2),
                        s.sizeBytes(),
                        s.chunkCount(),
                        s.sha256(),
                        Instant.now()));
        Files.deleteIfExists(file);
    }
}
