package dev.scratchlm.bundle;

import dev.scratchlm.bpe.HuggingFaceFormat;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.TiktokenFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.contracts.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./scratchlm export-data TOKENIZER DIR}: a tokenizer's shards from {@code token-shards} as llm.c token files
 * ({@code train.bin}, {@code val.bin}; shards in id order, so two exports are the same files), with
 * {@code tokenizer.json} and the tiktoken rank file beside them.
 */
public final class ShardExportMain {
    private ShardExportMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ShardExportMain TOKENIZER_ID DIR   (KAFKA_BOOTSTRAP_SERVERS names the broker)");
            System.exit(2);
        }
        try {
            Map<String, Integer> counts = export(
                    args[0],
                    Path.of(args[1]),
                    System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
            System.out.println("exported tokens " + counts + " to " + args[1]);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("export failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Writes the files; returns the token count per split. */
    public static Map<String, Integer> export(String tokenizerId, Path dir, String bootstrap) throws IOException {
        Map<String, List<TokenShard>> bySplit = new HashMap<>();
        TokenizerRecord tok = null;
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, "export-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.TOKENIZERS, Topics.TOKEN_SHARDS)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<String, TokenShard> seen = new HashMap<>();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (r.value() == null) continue;
                    if (r.topic().equals(Topics.TOKENIZERS)) {
                        TokenizerRecord t = Json.read(r.value(), TokenizerRecord.class);
                        if (tokenizerId.equals(t.id())) tok = t;
                    } else {
                        TokenShard s;
                        try {
                            s = TokenShard.decode(r.value());
                        } catch (RuntimeException e) {
                            continue; // the trainer dead-letters these; an export just leaves them out
                        }
                        if (tokenizerId.equals(s.tokenizerId())) seen.put(s.shardId(), s); // a re-publication replaces
                    }
                }
            }
            for (TokenShard s : seen.values())
                bySplit.computeIfAbsent(s.split(), k -> new ArrayList<>()).add(s);
        }
        if (tok == null) throw new IllegalArgumentException("no tokenizer " + tokenizerId + " on " + Topics.TOKENIZERS);
        if (tok.vocabSize() > 65536)
            throw new IllegalArgumentException(
                    "tokenizer " + tokenizerId + " has " + tok.vocabSize() + " ids; llm.c files hold uint16");
        Files.createDirectories(dir);
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (String split : List.of(TokenShard.TRAIN, TokenShard.VAL)) {
            List<TokenShard> shards = bySplit.getOrDefault(split, List.of());
            shards.sort(Comparator.comparing(TokenShard::shardId));
            int n = shards.stream().mapToInt(s -> s.tokens().length).sum();
            int[] all = new int[n];
            int at = 0;
            for (TokenShard s : shards) {
                System.arraycopy(s.tokens(), 0, all, at, s.tokens().length);
                at += s.tokens().length;
            }
            try (OutputStream out =
                    new BufferedOutputStream(Files.newOutputStream(dir.resolve(split + ".bin")), 1 << 16)) {
                LlmcTokenFile.write(all, out);
            }
            counts.put(split, n);
        }
        Tokenizer t = ScratchFormat.fromText(tok.definition());
        Files.writeString(dir.resolve(ModelBundle.TOKENIZER_JSON), HuggingFaceFormat.toJson(t), StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dir.resolve(ModelBundle.TIKTOKEN))) {
            TiktokenFormat.write(t, out);
        }
        return counts;
    }
}
