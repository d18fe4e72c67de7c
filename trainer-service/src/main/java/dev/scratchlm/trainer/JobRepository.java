package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Jobs, their progress and their per-step numbers, in PostgreSQL so they survive a restart of the service. */
public final class JobRepository {
    public static final String QUEUED = "queued",
            RUNNING = "running",
            STOPPED = "stopped",
            DONE = "done",
            FAILED = "failed";

    public record JobRow(
            String id,
            String stage,
            String state,
            String tokenizerId,
            String parentCheckpointId,
            JobPlan plan,
            int steps,
            int step,
            Float trainLoss,
            Float valLoss,
            Float lr,
            Float tokensPerSecond,
            Float mfu,
            Float etaSeconds,
            double wallSeconds,
            long tokensSeen,
            Long trainTokens,
            Long valTokens,
            String lastCheckpointId,
            boolean stopRequested,
            String error,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            Instant updatedAt,
            String evaluation) {
        public boolean finished() {
            return state.equals(DONE) || state.equals(STOPPED) || state.equals(FAILED);
        }
    }

    /** The job row's live numbers, written about once a second while it trains. */
    public record Progress(
            int step,
            Float trainLoss,
            Float valLoss,
            Float lr,
            Float tokensPerSecond,
            Float mfu,
            Float etaSeconds,
            double wallSeconds,
            long tokensSeen) {}

    /** One optimizer step's numbers; valLoss only on evaluation steps. */
    public record Metric(
            int step, Float trainLoss, Float valLoss, Float lr, Float tokensPerSecond, double elapsedSeconds) {}

    private final DataSource db;

    public JobRepository(DataSource db) {
        this.db = db;
    }

    public void insert(String id, JobPlan plan) {
        update(
                "insert into jobs (id, stage, state, tokenizer_id, parent_checkpoint_id, plan, steps) values (?, ?, 'queued', ?, ?, ?, ?)",
                id,
                plan.stage(),
                plan.tokenizerId(),
                plan.parent(),
                Json.string(plan),
                plan.steps());
    }

    public Optional<JobRow> find(String id) {
        return query("select * from jobs where id = ?", id).stream().findFirst();
    }

    /** Newest first. */
    public List<JobRow> list(int limit) {
        return query("select * from jobs order by created_at desc, id desc limit ?", limit);
    }

    /** A job that was running when the service stopped comes first (it resumes), then the oldest queued one. */
    public Optional<JobRow> nextToRun() {
        return query("""
                select * from jobs where state in ('running', 'queued')
                order by case state when 'running' then 0 else 1 end, created_at, id limit 1""").stream().findFirst();
    }

    /**
     * Marks a job running; its data snapshot is recorded the first time only, so a resumed job sees the same data.
     * @return false when the job was stopped (or finished) since it was picked: it must not run
     */
    public boolean start(String id, long trainTokens, long valTokens) {
        return update("""
                update jobs set state = 'running', started_at = coalesce(started_at, now()),
                    train_tokens = coalesce(train_tokens, ?), val_tokens = coalesce(val_tokens, ?), updated_at = now()
                where id = ? and state in ('queued', 'running')""", trainTokens, valTokens, id) == 1;
    }

    /** A stopped job goes back to the queue, to continue from its last checkpoint. @return false unless it was stopped */
    public boolean resume(String id) {
        return update("""
                update jobs set state = 'queued', stop_requested = false, finished_at = null, error = null, updated_at = now()
                where id = ? and state = 'stopped'""", id) == 1;
    }

    /** Saves the live numbers and the steps' metrics since the last call, in one transaction. */
    public void progress(String id, Progress p, List<Metric> metrics) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!metrics.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into job_metrics (job_id, step, train_loss, val_loss, lr, tokens_per_s, elapsed_s)
                            values (?, ?, ?, ?, ?, ?, ?)
                            on conflict (job_id, step) do update set train_loss = excluded.train_loss,
                                val_loss = coalesce(excluded.val_loss, job_metrics.val_loss), lr = excluded.lr,
                                tokens_per_s = excluded.tokens_per_s, elapsed_s = excluded.elapsed_s""")) {
                        for (Metric m : metrics) {
                            bind(
                                    ps,
                                    id,
                                    m.step(),
                                    m.trainLoss(),
                                    m.valLoss(),
                                    m.lr(),
                                    m.tokensPerSecond(),
                                    m.elapsedSeconds());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        update jobs set step = ?, train_loss = coalesce(?, train_loss), val_loss = coalesce(?, val_loss), lr = ?, tokens_per_s = ?,
                            mfu = ?, eta_s = ?, wall_s = ?, tokens_seen = ?, updated_at = now() where id = ?""")) {
                    bind(
                            ps,
                            p.step(),
                            p.trainLoss(),
                            p.valLoss(),
                            p.lr(),
                            p.tokensPerSecond(),
                            p.mfu(),
                            p.etaSeconds(),
                            p.wallSeconds(),
                            p.tokensSeen(),
                            id);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot save progress of job " + id + ": " + e.getMessage(), e);
        }
    }

    /** Forgets metrics past a resumed checkpoint: those steps run again (with the same numbers). */
    public void truncateMetrics(String id, long afterStep) {
        update("delete from job_metrics where job_id = ? and step > ?", id, afterStep);
    }

    /** An sft job's latest evaluation (held-out loss, generation metrics, data counts), shown with the job. */
    public void evaluation(String id, java.util.Map<String, Object> evaluation) {
        update("update jobs set evaluation = ?, updated_at = now() where id = ?", Json.string(evaluation), id);
    }

    public void checkpointed(String id, String checkpointId) {
        update("update jobs set last_checkpoint_id = ?, updated_at = now() where id = ?", checkpointId, id);
    }

    /**
     * A queued job stops at once; a running one is flagged (the runner stops it after the current step).
     *
     * @return the job's state after the request, or empty when there is no such job
     */
    public Optional<String> requestStop(String id) {
        update(
                "update jobs set state = 'stopped', finished_at = now(), updated_at = now() where id = ? and state = 'queued'",
                id);
        update("update jobs set stop_requested = true, updated_at = now() where id = ? and state = 'running'", id);
        return find(id).map(JobRow::state);
    }

    public void finish(String id, String state, String error) {
        update(
                "update jobs set state = ?, error = ?, finished_at = now(), eta_s = 0, updated_at = now() where id = ?",
                state,
                error,
                id);
    }

    public void fail(String id, String error) {
        finish(id, FAILED, error);
    }

    /** The per-step history, thinned to at most {@code maxPoints} train points (every eval point is kept). */
    public List<Metric> metrics(String id, int maxPoints) {
        int count = 0;
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("select count(*) from job_metrics where job_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                count = rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read metrics of job " + id + ": " + e.getMessage(), e);
        }
        int every = Math.max(1, (count + maxPoints - 1) / Math.max(1, maxPoints));
        String sql = """
                select * from job_metrics where job_id = ? and (step % ? = 0 or val_loss is not null
                    or step = (select max(step) from job_metrics where job_id = ?)) order by step""";
        List<Metric> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, id, every, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Metric(
                            rs.getInt("step"),
                            getFloat(rs, "train_loss"),
                            getFloat(rs, "val_loss"),
                            getFloat(rs, "lr"),
                            getFloat(rs, "tokens_per_s"),
                            rs.getDouble("elapsed_s")));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read metrics of job " + id + ": " + e.getMessage(), e);
        }
        return out;
    }

    private List<JobRow> query(String sql, Object... params) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<JobRow> out = new ArrayList<>();
                while (rs.next()) out.add(row(rs));
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read jobs: " + e.getMessage(), e);
        }
    }

    private JobRow row(ResultSet rs) throws SQLException {
        return new JobRow(
                rs.getString("id"),
                rs.getString("stage"),
                rs.getString("state"),
                rs.getString("tokenizer_id"),
                rs.getString("parent_checkpoint_id"),
                Json.read(rs.getString("plan"), JobPlan.class),
                rs.getInt("steps"),
                rs.getInt("step"),
                getFloat(rs, "train_loss"),
                getFloat(rs, "val_loss"),
                getFloat(rs, "lr"),
                getFloat(rs, "tokens_per_s"),
                getFloat(rs, "mfu"),
                getFloat(rs, "eta_s"),
                rs.getDouble("wall_s"),
                rs.getLong("tokens_seen"),
                getLong(rs, "train_tokens"),
                getLong(rs, "val_tokens"),
                rs.getString("last_checkpoint_id"),
                rs.getBoolean("stop_requested"),
                rs.getString("error"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "updated_at"),
                rs.getString("evaluation"));
    }

    private int update(String sql, Object... params) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update jobs: " + e.getMessage(), e);
        }
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) ps.setNull(i + 1, Types.NULL);
            else if (p instanceof Float f) ps.setFloat(i + 1, f);
            else if (p instanceof Double d) ps.setDouble(i + 1, d);
            else if (p instanceof Integer n) ps.setInt(i + 1, n);
            else if (p instanceof Long n) ps.setLong(i + 1, n);
            else if (p instanceof Boolean b) ps.setBoolean(i + 1, b);
            else if (p instanceof Instant t) ps.setTimestamp(i + 1, Timestamp.from(t));
            else ps.setString(i + 1, p.toString());
        }
    }

    static Float getFloat(ResultSet rs, String col) throws SQLException {
        float v = rs.getFloat(col);
        return rs.wasNull() ? null : v;
    }

    static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
