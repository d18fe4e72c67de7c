package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.service.ApiError;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Trains a tokenizer from the document sample, synchronously: BPE on the sample's train split is fast (about a
 * second for 20 MB and 4,096 ids on one core), so the request simply returns the finished tokenizer. Then it measures
 * bytes per token on held-out validation documents, publishes the tokenizer on {@code tokenizers} and registers it.
 * The id is the tokenizer's content hash, and the sample is read in a fixed order, so training the same thing twice
 * yields the same id (the second request returns the existing tokenizer).
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);
    /** The special tokens every tokenizer gets: end-of-text between documents and the chat template's markers. */
    static final List<String> SPECIAL_TOKENS = ChatTemplate.SPECIAL_TOKENS;

    static final int MIN_VOCAB = 256 + SPECIAL_TOKENS.size();
    /** Ids must fit the 16-bit shards. */
    static final int MAX_VOCAB = 65536;

    static final long DEFAULT_MIN_PAIR_FREQUENCY = 2;
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");

    @ConfigProperty(name = "tokenizer.training.default-sample-bytes")
    long defaultSampleBytes;

    @ConfigProperty(name = "tokenizer.training.max-sample-bytes")
    long maxSampleBytes;

    @ConfigProperty(name = "tokenizer.validation.max-bytes")
    long validationBytes;

    @Inject
    SampleRepository samples;

    @Inject
    TokenizerRepository registry;

    @Inject
    TokenizerPublisher publisher;

    @Inject
    TokenizerCatalog catalog;

    @Inject
    ShardWorkers workers;

    /** One training at a time per replica, on its own thread (bounded memory, bounded encoder caches). */
    private final ExecutorService trainingThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tokenizer-training");
        t.setDaemon(true);
        return t;
    });

    private final AtomicBoolean busy = new AtomicBoolean();

    /** What a training request produced. */
    public record Outcome(StoredTokenizer tokenizer, boolean created, boolean activated) {}

    /** A validated request. */
    record Plan(
            int vocabSize,
            NumberPolicy numbers,
            List<String> languages,
            long sampleBytes,
            String name,
            long minPairFrequency) {}

    public Outcome train(TrainRequest request) {
        Plan plan = validate(request);
        if (!busy.compareAndSet(false, true)) {
            throw ApiError.conflict("another tokenizer is being trained on this replica; try again when it is done");
        }
        try {
            Future<Outcome> run = trainingThread.submit(() -> run(plan));
            return run.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            busy.set(false);
        }
    }

    Plan validate(TrainRequest r) {
        if (r == null)
            throw ApiError.badRequest("a JSON body is required, e.g. {\"vocabSize\": 4096, \"numbers\": \"single\"}");
        if (r.vocabSize() == null) throw ApiError.badRequest("vocabSize is required, e.g. 4096");
        if (r.vocabSize() < MIN_VOCAB) {
            throw ApiError.badRequest("vocabSize " + r.vocabSize() + " is too small: the minimum is " + MIN_VOCAB
                            + " (256 byte tokens + " + SPECIAL_TOKENS.size() + " special tokens " + SPECIAL_TOKENS
                            + ")")
                    .with("minimum", MIN_VOCAB);
        }
        if (r.vocabSize() > MAX_VOCAB) {
            throw ApiError.badRequest("vocabSize " + r.vocabSize() + " is too large: the maximum is " + MAX_VOCAB
                            + ", so that token ids pack as 16-bit integers in shards")
                    .with("maximum", MAX_VOCAB);
        }
        if (r.numbers() == null) throw ApiError.badRequest("numbers is required: gpt2, groups-of-3 or single");
        NumberPolicy numbers;
        try {
            numbers = NumberPolicy.fromId(r.numbers());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage()).with("allowed", List.of("gpt2", "groups-of-3", "single"));
        }
        List<String> languages = new ArrayList<>();
        if (r.languages() != null) {
            for (String l : r.languages()) {
                if (l == null || !LANGUAGE.matcher(l).matches()) {
                    throw ApiError.badRequest(
                            "languages must be ISO 639 codes such as \"en\" or \"de\"; got " + Json.string(l));
                }
                if (!languages.contains(l)) languages.add(l);
            }
        }
        long sampleBytes = r.sampleBytes() == null ? defaultSampleBytes : r.sampleBytes();
        if (sampleBytes < 1024 || sampleBytes > maxSampleBytes) {
            throw ApiError.badRequest("sampleBytes must be between 1024 and " + maxSampleBytes + ", got " + sampleBytes)
                    .with("maximum", maxSampleBytes);
        }
        long minPair = r.minPairFrequency() == null ? DEFAULT_MIN_PAIR_FREQUENCY : r.minPairFrequency();
        if (minPair < 1) throw ApiError.badRequest("minPairFrequency must be at least 1, got " + minPair);
        String name = r.name();
        if (name != null
                && (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl))) {
            throw ApiError.badRequest("name must be 1 to 100 printable characters");
        }
        if (name == null) {
            name = "v" + r.vocabSize() + "-" + numbers.id()
                    + (languages.isEmpty() ? "" : "-" + String.join("+", languages));
        }
        return new Plan(r.vocabSize(), numbers, List.copyOf(languages), sampleBytes, name.trim(), minPair);
    }

    private Outcome run(Plan plan) {
        long t0 = System.nanoTime();
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Config(
                plan.vocabSize(),
                SplitPattern.forNumberPolicy(plan.numbers()),
                SPECIAL_TOKENS,
                plan.minPairFrequency()));
        SampleRepository.Taken taken =
                samples.forEachText(TokenShard.TRAIN, plan.languages(), plan.sampleBytes(), trainer::addDocument);
        if (taken.documents() == 0) {
            SampleRepository.Corpus corpus = samples.corpus();
            String what = plan.languages().isEmpty() ? "" : " in " + plan.languages();
            throw ApiError.conflict(
                            corpus.documents() == 0
                                    ? "no documents seen yet: ingest some before training a tokenizer"
                                    : "no training documents" + what + " among the " + corpus.documents()
                                            + " documents seen")
                    .with("documentsSeen", corpus.documents())
                    .with("documentsByLanguage", corpus.documentsByLanguage());
        }
        Tokenizer tokenizer = trainer.train();
        double seconds = (System.nanoTime() - t0) / 1e9;

        // Bytes per token on validation documents: text the tokenizer never saw.
        long[] val = new long[3];
        samples.forEachText(TokenShard.VAL, plan.languages(), validationBytes, text -> {
            val[0]++;
            val[1] += text.getBytes(StandardCharsets.UTF_8).length;
            val[2] += tokenizer.encodeOrdinary(text).length;
        });
        Double valBytesPerToken = val[2] == 0 ? null : round((double) val[1] / val[2]);

        String id = tokenizer.id();
        var existing = registry.find(id);
        if (existing.isPresent()) return new Outcome(existing.get(), false, false);

        Map<String, Object> validation = new LinkedHashMap<>();
        validation.put("documents", val[0]);
        validation.put("bytes", val[1]);
        validation.put("tokens", val[2]);
        validation.put("bytesPerToken", valBytesPerToken);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("documents", taken.documents());
        training.put("bytes", taken.bytes());
        training.put("seconds", round(seconds));
        training.put("languages", plan.languages().isEmpty() ? "all" : plan.languages());
        training.put("sampleBytes", plan.sampleBytes());
        training.put("requestedVocabSize", plan.vocabSize());
        training.put("merges", tokenizer.mergeableCount() - 256);
        training.put("minPairFrequency", plan.minPairFrequency());
        training.put("validation", validation);

        Instant now = Instant.now();
        String definition = ScratchFormat.toText(tokenizer);
        Map<String, Integer> specials = new LinkedHashMap<>(tokenizer.specialTokens());
        TokenizerRecord record = new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                id,
                tokenizer.vocabSize(),
                tokenizer.patternName(),
                tokenizer.numberPolicy().id(),
                specials,
                definition,
                training,
                now);
        checkPublishable(record);
        // Published before it is registered: a tokenizer anyone can see in the registry is one the trainer can read.
        publisher.publish(record);
        StoredTokenizer stored = new StoredTokenizer(
                id,
                plan.name(),
                tokenizer.vocabSize(),
                tokenizer.patternName(),
                tokenizer.numberPolicy().id(),
                specials,
                definition,
                training,
                now,
                false,
                null);
        registry.insert(stored);
        catalog.remember(id, tokenizer);
        boolean activated = registry.activateIfNoneActive(id);
        if (activated) workers.nudge();
        LOG.infof(
                "trained tokenizer %s (%s): %d ids from %d documents, %d bytes in %.1f s; val bytes/token %s%s",
                id,
                plan.name(),
                tokenizer.vocabSize(),
                taken.documents(),
                taken.bytes(),
                seconds,
                valBytesPerToken,
                activated ? "; activated (first one)" : "");
        return new Outcome(registry.find(id).orElse(stored), true, activated);
    }

    /** A tokenizer travels whole in one Kafka record: refuse one that would not fit under the 1 MB default. */
    static void checkPublishable(TokenizerRecord record) {
        int size = Json.bytes(record).length;
        if (size > TokenShard.MAX_RECORD_BYTES) {
            throw ApiError.unprocessable(
                            "this vocabulary serializes to " + size + " bytes, over the " + TokenShard.MAX_RECORD_BYTES
                                    + "-byte limit of one record on the tokenizers topic: choose a smaller vocabSize")
                    .with("recordBytes", size);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @PreDestroy
    void close() {
        trainingThread.shutdownNow();
    }
}
