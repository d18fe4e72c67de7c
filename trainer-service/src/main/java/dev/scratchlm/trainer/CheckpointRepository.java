package dev.scratchlm.trainer;

import static dev.scratchlm.trainer.JobRepository.bind;
import static dev.scratchlm.trainer.JobRepository.getFloat;
import static dev.scratchlm.trainer.JobRepository.instant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The checkpoint registry: what was written to the volume, what it holds, and whether it was published. */
public final class CheckpointRepository {
    /**
     * @param path     the published (weights-only) checkpoint file on the volume
     * @param manifest the JSON manifest published after the chunks
     */
    public record CheckpointRow(
            String id,
            String jobId,
            String stage,
            int step,
            Float trainLoss,
            Float valLoss,
            String tokenizerId,
            String parentId,
            String sha256,
            long sizeBytes,
            int chunkCount,
            String path,
            String manifest,
            Instant publishedAt,
            Instant createdAt) {}

    private final DataSource db;

    public CheckpointRepository(DataSource db) {
        this.db = db;
    }

    /** Idempotent: a resumed job that reaches the same step again writes the same checkpoint id. */
    public void upsert(CheckpointRow r) {
        update(
                """
                insert into checkpoints (id, job_id, stage, step, train_loss, val_loss, tokenizer_id, parent_id, sha256,
                    size_bytes, chunk_count, path, manifest)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (id) do update set train_loss = excluded.train_loss, val_loss = excluded.val_loss,
                    sha256 = excluded.sha256, size_bytes = excluded.size_bytes, chunk_count = excluded.chunk_count,
                    path = excluded.path, manifest = excluded.manifest,
                    published_at = case when checkpoints.sha256 = excluded.sha256 then checkpoints.published_at end""",
                r.id(),
                r.jobId(),
                r.stage(),
                r.step(),
                r.trainLoss(),
                r.valLoss(),
                r.tokenizerId(),
                r.parentId(),
                r.sha256(),
                r.sizeBytes(),
                r.chunkCount(),
                r.path(),
                r.manifest());
    }

    /** A checkpoint read from the checkpoints topic (an import): already published, so never sent again. */
    public void registerPublished(CheckpointRow r) {
        update(
                """
                insert into checkpoints (id, job_id, stage, step, train_loss, val_loss, tokenizer_id, parent_id, sha256,
                    size_bytes, chunk_count, path, manifest, published_at)
                values (?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                on conflict (id) do nothing""",
                r.id(),
                r.stage(),
                r.step(),
                r.trainLoss(),
                r.valLoss(),
                r.tokenizerId(),
                r.parentId(),
                r.sha256(),
                r.sizeBytes(),
                r.chunkCount(),
                r.path(),
                r.manifest());
    }

    public void markPublished(String id) {
        update("update checkpoints set published_at = now() where id = ?", id);
    }

    public Optional<CheckpointRow> find(String id) {
        return query("select * from checkpoints where id = ?", id).stream().findFirst();
    }

    /** Newest first. */
    public List<CheckpointRow> list(int limit) {
        return query("select * from checkpoints order by created_at desc, id desc limit ?", limit);
    }

    public List<CheckpointRow> byJob(String jobId) {
        return query("select * from checkpoints where job_id = ? order by step", jobId);
    }

    public List<CheckpointRow> unpublished() {
        return query("select * from checkpoints where published_at is null order by created_at");
    }

    private List<CheckpointRow> query(String sql, Object... params) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<CheckpointRow> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new CheckpointRow(
                            rs.getString("id"),
                            rs.getString("job_id"),
                            rs.getString("stage"),
                            rs.getInt("step"),
                            getFloat(rs, "train_loss"),
                            getFloat(rs, "val_loss"),
                            rs.getString("tokenizer_id"),
                            rs.getString("parent_id"),
                            rs.getString("sha256"),
                            rs.getLong("size_bytes"),
                            rs.getInt("chunk_count"),
                            rs.getString("path"),
                            rs.getString("manifest"),
                            instant(rs, "published_at"),
                            instant(rs, "created_at")));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read checkpoints: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... params) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update checkpoints: " + e.getMessage(), e);
        }
    }
}
