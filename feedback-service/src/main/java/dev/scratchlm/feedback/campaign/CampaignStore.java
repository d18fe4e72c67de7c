package dev.scratchlm.feedback.campaign;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.GenerationRequest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.feedback.Sql;
import dev.scratchlm.service.ApiError;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Campaigns and their tasks in PostgreSQL (schema {@code feedback}). */
@ApplicationScoped
public class CampaignStore {
    public static final TypeReference<List<ChatMessage>> MESSAGES = new TypeReference<>() {};
    public static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    public static final TypeReference<List<List<Integer>>> GROUPS = new TypeReference<>() {};

    @Inject
    AgroalDataSource db;

    public record Campaign(
            String id,
            String name,
            String model,
            int k,
            double temperature,
            double topP,
            int maxTokens,
            int overlap,
            String guidelines,
            String judge,
            Instant createdAt) {}

    public record Task(
            String id,
            String campaignId,
            int seq,
            List<ChatMessage> prompt,
            String status,
            String checkpointId,
            List<String> candidates,
            String error,
            List<List<Integer>> goldOrder) {}

    /** Stores the campaign, one task per prompt and, in the same transaction, a generation request per task. */
    public Campaign create(CampaignSpec spec, List<List<ChatMessage>> prompts) {
        String id = "c-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        return Sql.tx(db, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO campaigns (id, name, model, k, temperature, top_p, "
                            + "max_tokens, overlap, guidelines, judge, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, spec.name());
                s.setString(3, spec.model());
                s.setInt(4, spec.k());
                s.setDouble(5, spec.temperature());
                s.setDouble(6, spec.topP());
                s.setInt(7, spec.maxTokens());
                s.setInt(8, spec.overlap());
                s.setString(9, spec.guidelines());
                s.setString(10, spec.judge());
                s.setTimestamp(11, java.sql.Timestamp.from(now));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO tasks (id, campaign_id, seq, prompt, overlap) VALUES (?, ?, ?, ?::jsonb, ?)")) {
                for (int i = 0; i < prompts.size(); i++) {
                    String task = id + "-" + i;
                    s.setString(1, task);
                    s.setString(2, id);
                    s.setInt(3, i);
                    s.setString(4, Sql.json(prompts.get(i)));
                    s.setInt(5, spec.overlap());
                    s.addBatch();
                    GenerationRequest req = new GenerationRequest(
                            GenerationRequest.SCHEMA,
                            task,
                            id,
                            spec.model(),
                            prompts.get(i),
                            spec.k(),
                            spec.temperature(),
                            spec.topP(),
                            spec.maxTokens(),
                            task.hashCode() & 0xffffffffL,
                            now);
                    Outbox.add(c, "gen-" + task, Topics.GENERATION_REQUESTS, task, Json.bytes(req), now);
                }
                s.executeBatch();
            }
            return new Campaign(
                    id,
                    spec.name(),
                    spec.model(),
                    spec.k(),
                    spec.temperature(),
                    spec.topP(),
                    spec.maxTokens(),
                    spec.overlap(),
                    spec.guidelines(),
                    spec.judge(),
                    now);
        });
    }

    /** The prompts of chat answers that got a thumbs-down, newest first: a campaign's seed. */
    public List<List<ChatMessage>> thumbsDownPrompts(int limit) {
        List<List<ChatMessage>> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT prompt FROM chat_feedback WHERE NOT thumbs_up ORDER BY created_at DESC LIMIT ?")) {
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(read(r.getString(1), MESSAGES));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public Optional<Campaign> campaign(String id) {
        try (Connection c = db.getConnection()) {
            return campaign(c, id);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Optional<Campaign> campaign(Connection c, String id) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT id, name, model, k, temperature, top_p, max_tokens, overlap, "
                        + "guidelines, judge, created_at FROM campaigns WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(new Campaign(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getInt(4),
                        r.getDouble(5),
                        r.getDouble(6),
                        r.getInt(7),
                        r.getInt(8),
                        r.getString(9),
                        r.getString(10),
                        r.getTimestamp(11).toInstant()));
            }
        }
    }

    public List<Campaign> campaigns() {
        List<Campaign> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM campaigns ORDER BY created_at DESC");
                ResultSet r = s.executeQuery()) {
            while (r.next()) campaign(c, r.getString(1)).ifPresent(out::add);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public Optional<Task> task(String id) {
        try (Connection c = db.getConnection()) {
            return task(c, id, false);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The columns {@link #task(ResultSet)} reads, of a table named {@code t}. */
    static final String TASK_COLUMNS =
            "t.id, t.campaign_id, t.seq, t.prompt, t.status, t.checkpoint_id, t.candidates, t.error, t.gold_order";

    public static Optional<Task> task(Connection c, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT id, campaign_id, seq, prompt, status, checkpoint_id, candidates, "
                        + "error, gold_order FROM tasks WHERE id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(task(r));
            }
        }
    }

    static Task task(ResultSet r) throws SQLException {
        String candidates = r.getString(7), gold = r.getString(9);
        return new Task(
                r.getString(1),
                r.getString(2),
                r.getInt(3),
                read(r.getString(4), MESSAGES),
                r.getString(5),
                r.getString(6),
                candidates == null ? null : read(candidates, STRINGS),
                r.getString(8),
                gold == null ? null : read(gold, GROUPS));
    }

    public List<Task> tasks(String campaignId) {
        List<Task> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT id, campaign_id, seq, prompt, status, checkpoint_id, candidates, "
                                + "error, gold_order FROM tasks WHERE campaign_id = ? ORDER BY seq")) {
            s.setString(1, campaignId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(task(r));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Task counts by status. */
    public Map<String, Integer> statusCounts(String campaignId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String s : List.of("requested", "ready", "degenerate", "failed")) out.put(s, 0);
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT status, count(*) FROM tasks WHERE campaign_id = ? GROUP BY status")) {
            s.setString(1, campaignId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.put(r.getString(1), r.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Sets a task's known ordering: it becomes a gold task, served to every rater to check them against. */
    public void setGold(String taskId, List<List<Integer>> order) {
        Sql.tx(db, c -> {
            Task t = task(c, taskId, true).orElseThrow(() -> ApiError.notFound("no task " + taskId));
            if (!"ready".equals(t.status()))
                throw ApiError.conflict("task " + taskId + " is " + t.status() + ", not ready to rank");
            RankingRules.checkOrder(order, t.candidates().size(), false);
            try (PreparedStatement s = c.prepareStatement("UPDATE tasks SET gold_order = ?::jsonb WHERE id = ?")) {
                s.setString(1, Sql.json(order));
                s.setString(2, taskId);
                s.executeUpdate();
            }
            return null;
        });
    }

    public static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
