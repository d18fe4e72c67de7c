package dev.scratchlm.feedback.campaign;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.feedback.FeedbackConfig;
import dev.scratchlm.feedback.Sql;
import dev.scratchlm.feedback.campaign.CampaignStore.Task;
import dev.scratchlm.service.ApiError;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * A rater's queue and what they submit. A ranking is committed with its outbox row in one transaction before the
 * answer (so before the next task); the outbox publishes a person's ranking after the undo window, a judge's at once.
 */
@ApplicationScoped
public class RankingStore {
    /** An open assignment younger than this holds one of the task's overlap places for its rater. */
    static final Duration RESERVATION = Duration.ofMinutes(10);
    /** A task that still wants rankings, written as the predicate of the {@code tasks_queue} index so it is used. */
    private static final String QUEUED =
            "t.status = 'ready' AND (t.gold_order IS NOT NULL OR t.human_rankings < t.overlap)";

    @Inject
    AgroalDataSource db;

    @Inject
    FeedbackConfig config;

    /** A task as one rater sees it: candidates in the order shown to them ({@code shown} holds candidate indexes). */
    public record Served(Task task, List<Integer> shown, int done, int remaining) {}

    public record Flag(int candidate, String reason) {}

    public record Submission(
            String submissionId, List<List<Integer>> order, boolean unusable, List<Flag> flags, String comment) {}

    public record Stored(String rankingId, boolean duplicate, Instant undoUntil) {}

    /** The rater's open task, else the next one they have not done, else empty. */
    public Optional<Served> next(String rater, String campaignId) {
        return Sql.tx(db, c -> {
            // Serving writes only the assignment, which a crash may lose harmlessly (the task is served again, in the
            // same order: the shuffle is a function of rater and task), so it does not wait for the disk; the
            // ranking's own transaction does.
            try (PreparedStatement s = c.prepareStatement("SET LOCAL synchronous_commit = off")) {
                s.execute();
            }
            Task task = null;
            try (PreparedStatement s = c.prepareStatement("SELECT " + CampaignStore.TASK_COLUMNS
                    + " FROM assignments a JOIN tasks t ON t.id = a.task_id "
                    + "WHERE a.rater = ? AND a.state = 'open' AND t.status = 'ready' AND (?::text IS NULL OR t.campaign_id = ?) "
                    + "ORDER BY a.served_at DESC LIMIT 1")) { // the newest: a task just undone comes back first
                s.setString(1, rater);
                s.setString(2, campaignId);
                s.setString(3, campaignId);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) task = CampaignStore.task(r);
                }
            }
            for (int attempt = 0; task == null && attempt < 5; attempt++) {
                // Gold tasks go to every rater; others until they have their overlap of human rankings (open
                // assignments of the last minutes hold a place, so two raters are not handed the last one at once).
                Task candidate = null;
                try (PreparedStatement s = c.prepareStatement("SELECT " + CampaignStore.TASK_COLUMNS
                        + " FROM tasks t WHERE " + QUEUED
                        + " AND (?::text IS NULL OR t.campaign_id = ?) "
                        + "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.rater = ?) "
                        + "AND (t.gold_order IS NOT NULL OR t.human_rankings + (SELECT count(*) FROM assignments a "
                        + "  WHERE a.task_id = t.id AND a.state = 'open' AND a.served_at > ?) < t.overlap) "
                        + "ORDER BY t.campaign_id, t.seq LIMIT 1 FOR UPDATE OF t SKIP LOCKED")) {
                    s.setString(1, campaignId);
                    s.setString(2, campaignId);
                    s.setString(3, rater);
                    s.setTimestamp(4, Timestamp.from(Instant.now().minus(RESERVATION)));
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) candidate = CampaignStore.task(r);
                    }
                }
                if (candidate == null) return Optional.<Served>empty();
                if (assign(c, candidate, rater)) task = candidate;
            }
            if (task == null) return Optional.<Served>empty();
            // A function of rater and task: the order stored with the assignment when it was served.
            List<Integer> shown = shuffled(task.candidates().size(), rater, task.id());
            int[] progress = progress(c, rater, task.campaignId());
            return Optional.of(new Served(task, shown, progress[0], progress[1]));
        });
    }

    /**
     * Serves a task locked by the queue query to the rater, if it still has a place: the lock is ours, but that query's
     * view may predate another rater's commit, so this statement (a view of its own) counts again.
     */
    private static boolean assign(Connection c, Task task, String rater) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO assignments (task_id, rater, shown_order) "
                + "SELECT t.id, ?, ?::jsonb FROM tasks t WHERE t.id = ? AND (t.gold_order IS NOT NULL OR "
                + "t.human_rankings + (SELECT count(*) FROM assignments a WHERE a.task_id = t.id AND a.state = 'open' "
                + "AND a.served_at > ?) < t.overlap) ON CONFLICT DO NOTHING")) {
            s.setString(1, rater);
            s.setString(2, Sql.json(shuffled(task.candidates().size(), rater, task.id())));
            s.setString(3, task.id());
            s.setTimestamp(4, Timestamp.from(Instant.now().minus(RESERVATION)));
            return s.executeUpdate() == 1;
        }
    }

    /** Past this many tasks left, a rater is told "more than" rather than the count (which would walk the queue). */
    public static final int REMAINING_CAP = 100;

    /**
     * {done by this rater, still to do for them, at most {@link #REMAINING_CAP} + 1} in a campaign: a counter, and the
     * head of the queue (each task's assignment of this rater looked up by key).
     */
    private static int[] progress(Connection c, String rater, String campaignId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT "
                + "(SELECT done FROM rater_progress WHERE campaign_id = ? AND rater = ?), "
                + "(SELECT count(*) FROM (SELECT 1 FROM tasks t WHERE t.campaign_id = ? AND " + QUEUED
                + "  AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.rater = ? "
                + "  AND a.state <> 'open') LIMIT " + (REMAINING_CAP + 1) + ") q)")) {
            s.setString(1, campaignId);
            s.setString(2, rater);
            s.setString(3, campaignId);
            s.setString(4, rater);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new int[] {r.getInt(1), r.getInt(2)};
            }
        }
    }

    /** A task of the campaign left this rater's queue ({@code delta} 1) or came back to it (-1). */
    private static void countDone(Connection c, String rater, String campaignId, int delta) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO rater_progress (campaign_id, rater, done) "
                + "VALUES (?, ?, ?) ON CONFLICT (campaign_id, rater) DO UPDATE SET done = rater_progress.done + ?")) {
            s.setString(1, campaignId);
            s.setString(2, rater);
            s.setInt(3, Math.max(delta, 0));
            s.setInt(4, delta);
            s.executeUpdate();
        }
    }

    /** The order a rater sees a task's candidates in: fixed per rater and task, different across raters. */
    static List<Integer> shuffled(int k, String rater, String taskId) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < k; i++) order.add(i);
        Collections.shuffle(order, new Random(((long) rater.hashCode() << 32) ^ taskId.hashCode()));
        return order;
    }

    /** A person's ranking of a task served to them. */
    public Stored submit(String rater, String taskId, Submission sub) {
        if (sub.submissionId() == null
                || sub.submissionId().isBlank()
                || sub.submissionId().length() > 100) {
            throw ApiError.invalid(
                    "submissionId",
                    "each submitted form carries a submissionId (1-100 characters), so a repeated submit is one ranking");
        }
        if (sub.comment() != null && sub.comment().length() > RankingRules.MAX_COMMENT) {
            throw ApiError.invalid("comment", "a comment is at most " + RankingRules.MAX_COMMENT + " characters");
        }
        return Sql.tx(db, c -> {
            // The task and this rater's assignment of it, both locked, in one round trip.
            Task task;
            String state;
            Instant served;
            int humanRankings, overlap;
            try (PreparedStatement s = c.prepareStatement("SELECT " + CampaignStore.TASK_COLUMNS
                    + ", a.state, a.served_at, t.human_rankings, t.overlap FROM tasks t JOIN assignments a ON a.task_id = t.id AND a.rater = ? WHERE t.id = ? "
                    + "FOR UPDATE")) {
                s.setString(1, rater);
                s.setString(2, taskId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        if (CampaignStore.task(c, taskId, false).isEmpty())
                            throw ApiError.notFound("no task " + taskId);
                        throw ApiError.conflict("task " + taskId + " was not served to you: ask for your next task");
                    }
                    task = CampaignStore.task(r);
                    state = r.getString(10);
                    served = r.getTimestamp(11).toInstant();
                    humanRankings = r.getInt(12);
                    overlap = r.getInt(13);
                }
            }
            if (state.equals("done")) {
                // A repeated submit of the ranking that did this (its answer lost on the way) is that ranking.
                Optional<Stored> again = bySubmission(c, sub.submissionId(), rater, taskId);
                if (again.isPresent()) return again.get();
                throw ApiError.conflict("you ranked task " + taskId + " already");
            }
            if (task.goldOrder() == null && humanRankings >= overlap) {
                throw ApiError.conflict(
                        "task " + taskId + " has all the rankings its campaign asks for: ask for your next task");
            }
            int k = task.candidates().size();
            RankingRules.checkOrder(sub.order(), k, sub.unusable());
            List<Flag> flags = sub.flags() == null ? List.of() : sub.flags();
            for (Flag f : flags) {
                if (f == null || f.candidate() < 0 || f.candidate() >= k)
                    throw ApiError.invalid("flags", "a flag names a candidate 0 to " + (k - 1));
                if (!RankingRules.FLAG_REASONS.contains(f.reason())) {
                    throw ApiError.invalid(
                            "flags", "a flag's reason is one of " + new java.util.TreeSet<>(RankingRules.FLAG_REASONS));
                }
            }
            Instant now = Instant.now();
            String id;
            try {
                id = insert(
                        c,
                        task,
                        rater,
                        Ranking.HUMAN,
                        sub.submissionId(),
                        sub.order(),
                        sub.unusable(),
                        flags,
                        sub.comment(),
                        Duration.between(served, now).toMillis() / 1000.0,
                        now,
                        now.plus(config.undoWindow()));
            } catch (ApiError notInserted) {
                // Not this rater's ranking of this task (the assignment says so): the submissionId is another's.
                bySubmission(c, sub.submissionId(), rater, taskId);
                throw notInserted;
            }
            // The assignment, the task's count and the rater's progress in one statement.
            try (PreparedStatement s = c.prepareStatement("WITH done AS (UPDATE assignments SET state = 'done' "
                    + "WHERE task_id = ? AND rater = ?), progress AS (INSERT INTO rater_progress (campaign_id, rater, "
                    + "done) VALUES (?, ?, 1) ON CONFLICT (campaign_id, rater) DO UPDATE SET done = rater_progress.done "
                    + "+ 1) UPDATE tasks SET human_rankings = human_rankings + 1 WHERE id = ?")) {
                s.setString(1, taskId);
                s.setString(2, rater);
                s.setString(3, task.campaignId());
                s.setString(4, rater);
                s.setString(5, taskId);
                s.executeUpdate();
            }
            return new Stored(id, false, now.plus(config.undoWindow()));
        });
    }

    private static void countRanking(Connection c, String taskId, int delta) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("UPDATE tasks SET human_rankings = human_rankings + ? WHERE id = ?")) {
            s.setInt(1, delta);
            s.setString(2, taskId);
            s.executeUpdate();
        }
    }

    private Optional<Stored> bySubmission(Connection c, String submissionId, String rater, String taskId)
            throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT id, rater, task_id, created_at FROM rankings WHERE submission_id = ?")) {
            s.setString(1, submissionId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                if (!r.getString(2).equals(rater) || !r.getString(3).equals(taskId)) {
                    throw ApiError.conflict("submissionId " + submissionId + " belongs to another submission");
                }
                return Optional.of(new Stored(
                        r.getString(1), true, r.getTimestamp(4).toInstant().plus(config.undoWindow())));
            }
        }
    }

    /**
     * Writes a ranking and its outbox row (published at {@code publishAt}); the one path of people and judges.
     * @return the ranking id
     */
    static String insert(
            Connection c,
            Task task,
            String rater,
            String source,
            String submissionId,
            List<List<Integer>> order,
            boolean unusable,
            List<Flag> flags,
            String comment,
            Double seconds,
            Instant now,
            Instant publishAt)
            throws SQLException {
        String id = "rk-" + UUID.randomUUID();
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO rankings (id, submission_id, task_id, rater, source, order_groups, "
                        + "unusable, flags, comment, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, id);
            s.setString(2, submissionId);
            s.setString(3, task.id());
            s.setString(4, rater);
            s.setString(5, source);
            s.setString(6, Sql.json(order));
            s.setBoolean(7, unusable);
            s.setString(8, Sql.json(flags));
            s.setString(9, comment == null || comment.isBlank() ? null : comment);
            if (seconds == null) s.setNull(10, java.sql.Types.DOUBLE);
            else s.setDouble(10, seconds);
            s.setTimestamp(11, Timestamp.from(now));
            if (s.executeUpdate() == 0) throw ApiError.conflict(rater + " ranked task " + task.id() + " already");
        }
        Ranking ranking = new Ranking(
                Ranking.SCHEMA,
                id,
                task.id(),
                task.campaignId(),
                task.checkpointId(),
                task.prompt(),
                task.candidates(),
                order,
                rater,
                source,
                now);
        Outbox.add(c, id, Topics.RANKINGS, task.id(), Json.bytes(ranking), publishAt);
        return id;
    }

    /** Takes back a person's submission within the undo window: nothing reaches {@code rankings}, the task is theirs again. */
    public String undo(String rater, String rankingId) {
        return Sql.tx(db, c -> {
            String taskId, campaignId;
            Instant created;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT r.task_id, r.created_at, r.rater, t.campaign_id FROM rankings r "
                            + "JOIN tasks t ON t.id = r.task_id WHERE r.id = ? FOR UPDATE OF r")) {
                s.setString(1, rankingId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next() || !r.getString(3).equals(rater))
                        throw ApiError.notFound("you have no ranking " + rankingId);
                    taskId = r.getString(1);
                    created = r.getTimestamp(2).toInstant();
                    campaignId = r.getString(4);
                }
            }
            if (created.plus(config.undoWindow()).isBefore(Instant.now()) || !Outbox.withdraw(c, rankingId)) {
                throw ApiError.conflict("too late to undo: a ranking can be undone for "
                        + config.undoWindow().toSeconds() + " s");
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM rankings WHERE id = ?")) {
                s.setString(1, rankingId);
                s.executeUpdate();
            }
            countRanking(c, taskId, -1);
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE assignments SET state = 'open', served_at = now() WHERE task_id = ? AND rater = ?")) {
                s.setString(1, taskId);
                s.setString(2, rater);
                s.executeUpdate();
            }
            countDone(c, rater, campaignId, -1);
            return taskId;
        });
    }

    /** The rater passes on a task: it leaves their queue (not the others'). */
    public void skip(String rater, String taskId) {
        Sql.tx(db, c -> {
            Task task = CampaignStore.task(c, taskId, false).orElseThrow(() -> ApiError.notFound("no task " + taskId));
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE assignments SET state = 'skipped' WHERE task_id = ? AND rater = ? AND state = 'open'")) {
                s.setString(1, task.id());
                s.setString(2, rater);
                if (s.executeUpdate() == 0) throw ApiError.conflict("task " + taskId + " is not open for you");
            }
            countDone(c, rater, task.campaignId(), +1);
            return null;
        });
    }

    /** A judge's ranking of every ready task of the campaign it has not ranked; returns {ranked, not its to judge}. */
    public int[] judge(String campaignId, dev.scratchlm.feedback.judge.Judge judge) {
        int ranked = 0, skipped = 0;
        for (Task t : tasksToJudge(campaignId, judge.name())) {
            if (judgeTask(t, judge)) ranked++;
            else skipped++;
        }
        return new int[] {ranked, skipped};
    }

    /** Ranks one ready task with the judge (idempotent); false when the judge cannot rank it. */
    public boolean judgeTask(Task t, dev.scratchlm.feedback.judge.Judge judge) {
        Optional<List<List<Integer>>> order = judge.rank(t.prompt(), t.candidates());
        if (order.isEmpty()) return false;
        Sql.tx(db, c -> {
            Instant now = Instant.now();
            try {
                insert(
                        c,
                        t,
                        judge.name(),
                        judge.source(),
                        judge.name() + ":" + t.id(),
                        order.get(),
                        false,
                        List.of(),
                        null,
                        null,
                        now,
                        now);
            } catch (ApiError ranked) {
                // ranked before (a replayed generation): nothing to do
            }
            return null;
        });
        return true;
    }

    private List<Task> tasksToJudge(String campaignId, String judgeName) {
        List<Task> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, campaign_id, seq, prompt, status, checkpoint_id, candidates, error, "
                                + "gold_order FROM tasks t WHERE campaign_id = ? AND status = 'ready' "
                                + "AND NOT EXISTS (SELECT 1 FROM rankings r WHERE r.task_id = t.id AND r.rater = ?) ORDER BY seq")) {
            s.setString(1, campaignId);
            s.setString(2, judgeName);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(CampaignStore.task(r));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
