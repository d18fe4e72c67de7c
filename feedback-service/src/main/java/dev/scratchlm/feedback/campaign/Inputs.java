package dev.scratchlm.feedback.campaign;

import dev.scratchlm.contracts.ChatFeedback;
import dev.scratchlm.contracts.Generation;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.feedback.Sql;
import dev.scratchlm.feedback.judge.SlotErrorJudge;
import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.LoopHealth;
import dev.scratchlm.service.TopicSetup;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What feedback-service reads: {@code generations} (candidates from chat-service) become rankable tasks, and
 * {@code chat-feedback} (thumbs from the web chat) is kept to seed campaigns and export. Both are idempotent, so the
 * at-least-once loops may replay.
 */
@ApplicationScoped
public class Inputs {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    AgroalDataSource db;

    @Inject
    CampaignStore campaigns;

    @Inject
    RankingStore rankings;

    @Inject
    TopicSetup topics;

    @Inject
    LoopHealth health;

    private final SlotErrorJudge rule = new SlotErrorJudge();
    private ConsumerLoop generations, thumbs;

    void start(@Observes StartupEvent event) {
        topics.await(Duration.ofSeconds(60));
        generations = ConsumerLoop.builder("generations-consumer", bootstrap, "feedback-service", Topics.GENERATIONS)
                .records(this::generation)
                .build();
        thumbs = ConsumerLoop.builder("chat-feedback-consumer", bootstrap, "feedback-service", Topics.CHAT_FEEDBACK)
                .records(this::thumbs)
                .build();
        health.register(generations);
        health.register(thumbs);
        generations.start();
        thumbs.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (generations != null) generations.close();
        if (thumbs != null) thumbs.close();
    }

    public ConsumerLoop generations() {
        return generations;
    }

    /** Identical answers (after trimming) count once: raters never rank a candidate against itself. */
    public static List<String> distinct(List<String> candidates) {
        return new ArrayList<>(
                new LinkedHashSet<>(candidates.stream().map(String::strip).toList()));
    }

    String generation(ConsumerRecord<String, byte[]> record) {
        Generation g = read(record.value(), Generation.class);
        if (g.schema() != Generation.SCHEMA || g.taskId() == null || (g.error() == null && g.candidates() == null)) {
            throw new ConsumerLoop.Poison(
                    "not a schema-" + Generation.SCHEMA + " generation with a task id and candidates or an error");
        }
        List<String> candidates = g.error() != null ? List.of() : distinct(g.candidates());
        String status = g.error() != null ? "failed" : candidates.size() >= 2 ? "ready" : "degenerate";
        String outcome = Sql.tx(db, c -> {
            Optional<CampaignStore.Task> task = CampaignStore.task(c, g.taskId(), true);
            if (task.isEmpty()) return "unknown-task";
            if (!task.get().status().equals("requested")) return "duplicate";
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tasks SET status = ?, checkpoint_id = ?, candidates = ?::jsonb, "
                            + "error = ?, ready_at = now() WHERE id = ?")) {
                s.setString(1, status);
                s.setString(2, g.checkpointId());
                s.setString(3, Sql.json(candidates));
                s.setString(4, g.error());
                s.setString(5, g.taskId());
                s.executeUpdate();
            }
            return status;
        });
        // Judged after the commit, also on a replay (a crash before the judge ran); judging twice is one ranking.
        if (outcome.equals("ready") || outcome.equals("duplicate")) {
            CampaignStore.Task t = campaigns.task(g.taskId()).orElseThrow();
            boolean ruled = campaigns
                    .campaign(t.campaignId())
                    .map(c -> "rule".equals(c.judge()))
                    .orElse(false);
            if (ruled && t.status().equals("ready")) rankings.judgeTask(t, rule);
        }
        return outcome;
    }

    String thumbs(ConsumerRecord<String, byte[]> record) {
        ChatFeedback f = read(record.value(), ChatFeedback.class);
        if (f.answerId() == null || f.prompt() == null || f.answer() == null || f.createdAt() == null) {
            throw new ConsumerLoop.Poison("not a chat feedback with answer id, prompt, answer and time");
        }
        return Sql.tx(db, c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO chat_feedback (answer_id, model, prompt, answer, thumbs_up, "
                            + "comment, created_at) VALUES (?, ?, ?::jsonb, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET "
                            + "thumbs_up = EXCLUDED.thumbs_up, comment = EXCLUDED.comment, created_at = EXCLUDED.created_at "
                            + "WHERE chat_feedback.created_at <= EXCLUDED.created_at")) {
                s.setString(1, f.answerId());
                s.setString(2, f.model() == null ? "" : f.model());
                s.setString(3, Sql.json(f.prompt()));
                s.setString(4, f.answer());
                s.setBoolean(5, f.thumbsUp());
                s.setString(6, f.comment());
                s.setTimestamp(7, Timestamp.from(f.createdAt()));
                return s.executeUpdate() == 1 ? "stored" : "older";
            }
        });
    }

    private static <T> T read(byte[] value, Class<T> type) {
        if (value == null) throw new ConsumerLoop.Poison("empty record");
        try {
            return Json.read(value, type);
        } catch (UncheckedIOException e) {
            throw new ConsumerLoop.Poison(e.getMessage());
        }
    }
}
