package dev.scratchlm.chat;

import dev.scratchlm.contracts.Generation;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.KafkaSettings;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers ranking campaigns: each {@link GenerationRequest} on {@code generation.requests} becomes one
 * {@link Generation} on {@code generations} (same key, the task id) with k candidates from the model it names,
 * decoded beside live chat as background work ({@link Candidates}). At least once: the generation is stored
 * (acks=all) before the request's offset is committed, so a crash in between publishes it again, with the same
 * candidates; the campaign side keeps one per task id.
 *
 * <p>A request that can never be answered as sent (bad bytes, an unknown schema, k or sampling values out of range)
 * is dead-lettered ({@link GenerationRequests}). One the campaign must hear about (an unknown or non-chat model, a
 * prompt that does not fit) is answered with no candidates and the reason. Anything that may pass (the broker away,
 * the models still loading, a decoder restarting) is thrown, and {@link ConsumerLoop} retries it with backoff.
 */
@ApplicationScoped
public class GenerationConsumer {
    private static final Logger LOG = Logger.getLogger(GenerationConsumer.class.getName());
    static final String GROUP = "chat-generations";
    static final String GENERATED = "generated", REFUSED = "refused";
    /** Bound of one send: past it the send counts as failed and the request is retried. */
    private static final int SEND_TIMEOUT_MS = 30_000;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "chat.generations.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "chat.generations.max-request-minutes", defaultValue = "30")
    int maxRequestMinutes;

    @Inject
    ModelRegistry registry;

    @Inject
    CheckpointConsumer checkpoints;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth loops;

    private volatile boolean stopping;
    private ConsumerLoop loop;
    private KafkaProducer<String, byte[]> producer;

    void start(@Observes StartupEvent event) {
        registry.backgroundSequences(); // a bad setting stops the start, naming the property (models use it either way)
        if (!enabled) return;
        topics.await(Duration.ofSeconds(60));
        Properties p = KafkaSettings.producer(bootstrap); // acks=all, idempotent
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(SEND_TIMEOUT_MS));
        producer = new KafkaProducer<>(p);
        long maxPollMs = TimeUnit.MINUTES.toMillis(maxRequestMinutes) + 60_000; // the longest request, and its send
        loop = ConsumerLoop.builder("generation-consumer", bootstrap, GROUP, Topics.GENERATION_REQUESTS)
                .records(this::handle)
                // One request per poll: k candidates take a while, and the group must not think this replica gone.
                .consumerProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1")
                .consumerProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, String.valueOf(maxPollMs))
                .build();
        loops.register(loop);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true; // a request being decoded gives up; its offset is not committed, another replica redoes it
        if (loop != null) loop.close();
        if (producer != null) producer.close(Duration.ofSeconds(5));
    }

    /** The loop, for readiness and tests (null when disabled). */
    ConsumerLoop loop() {
        return loop;
    }

    private String handle(ConsumerRecord<String, byte[]> record) throws Exception {
        GenerationRequest r = GenerationRequests.read(record);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(maxRequestMinutes);
        Generation g = generate(r, deadline);
        publish(g);
        return g.error() == null ? GENERATED : REFUSED;
    }

    private Generation generate(GenerationRequest r, long deadline) throws InterruptedException {
        awaitModels(r, deadline);
        LoadedModel model;
        try {
            model = registry.resolve(r.model());
        } catch (OpenAiError e) {
            if (registry.loading(r.model()))
                throw new IllegalStateException("model " + r.model() + " is still loading");
            return refused(r, e.getMessage());
        }
        if (model.template == null) {
            return refused(
                    r,
                    "model " + model.id + " has a tokenizer without the chat special tokens: it only completes text");
        }
        int[] prompt = model.template.renderPrompt(r.prompt());
        try {
            RequestParser.checkFits("prompt", model.blockSize(), prompt.length, r.maxTokens());
        } catch (OpenAiError e) {
            return refused(r, e.getMessage());
        }
        List<GenerationParams> params = new ArrayList<>(r.k());
        for (int i = 0; i < r.k(); i++) params.add(GenerationRequests.params(r, i));
        List<String> candidates = Candidates.decode(model, prompt, params, () -> stopping, deadline);
        return new Generation(
                Generation.SCHEMA, r.taskId(), r.campaignId(), model.id, r.prompt(), candidates, null, Instant.now());
    }

    /** Until the checkpoint history is read, an unknown model may just not be loaded yet: wait rather than refuse. */
    private void awaitModels(GenerationRequest r, long deadline) throws InterruptedException {
        while (!checkpoints.caughtUp()) {
            if (stopping || System.nanoTime() > deadline) {
                throw new IllegalStateException("task " + r.taskId() + ": the checkpoint history is still being read");
            }
            Thread.sleep(200);
        }
    }

    private static Generation refused(GenerationRequest r, String why) {
        LOG.info("generation task " + r.taskId() + " of campaign " + r.campaignId() + " refused: " + why);
        return new Generation(
                Generation.SCHEMA, r.taskId(), r.campaignId(), null, r.prompt(), List.of(), why, Instant.now());
    }

    /** Returns once every in-sync replica has it; throws (and the request is retried) when the broker did not take it. */
    private void publish(Generation g) throws Exception {
        producer.send(new ProducerRecord<>(Topics.GENERATIONS, g.taskId(), Json.bytes(g)))
                .get(SEND_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
    }
}
