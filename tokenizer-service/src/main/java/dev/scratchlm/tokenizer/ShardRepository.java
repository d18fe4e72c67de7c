package dev.scratchlm.tokenizer;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What each tokenizer's committed shards hold, per split (fed from token-shards by {@link ShardStatsCollector}). */
@ApplicationScoped
public class ShardRepository {
    @Inject
    AgroalDataSource db;

    public record Row(
            String shardId,
            String tokenizerId,
            String split,
            int documents,
            long tokens,
            int recordBytes,
            LocalDate latestDate) {}

    /** Totals of one split: documents count those whose end-of-text is in a shard, so a cut document counts once. */
    public record SplitStats(long shards, long documents, long tokens, long recordBytes, LocalDate latestDate) {}

    /** Idempotent: a shard seen twice (a redelivery) is stored once. */
    public void insert(List<Row> rows) {
        String sql =
                "INSERT INTO tokenizer.shards (shard_id, tokenizer_id, split, documents, tokens, record_bytes, latest_date) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shard_id) DO NOTHING";
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (Row row : rows) {
                    s.setString(1, row.shardId());
                    s.setString(2, row.tokenizerId());
                    s.setString(3, row.split());
                    s.setInt(4, row.documents());
                    s.setLong(5, row.tokens());
                    s.setInt(6, row.recordBytes());
                    if (row.latestDate() == null) s.setNull(7, Types.DATE);
                    else s.setDate(7, Date.valueOf(row.latestDate()));
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record " + rows.size() + " shards: " + e.getMessage(), e);
        }
    }

    /** Split name → totals, for one tokenizer (splits without shards are absent). */
    public Map<String, SplitStats> stats(String tokenizerId) {
        String sql = "SELECT split, count(*), sum(documents), sum(tokens), sum(record_bytes), max(latest_date) "
                + "FROM tokenizer.shards WHERE tokenizer_id = ? GROUP BY split";
        Map<String, SplitStats> out = new TreeMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tokenizerId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Date latest = r.getDate(6);
                    out.put(
                            r.getString(1),
                            new SplitStats(
                                    r.getLong(2),
                                    r.getLong(3),
                                    r.getLong(4),
                                    r.getLong(5),
                                    latest == null ? null : latest.toLocalDate()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read shard statistics of " + tokenizerId + ": " + e.getMessage(), e);
        }
        return out;
    }
}
