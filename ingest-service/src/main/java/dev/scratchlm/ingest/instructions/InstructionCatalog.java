package dev.scratchlm.ingest.instructions;

import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.ingest.catalog.CatalogRepository.CatalogException;
import dev.scratchlm.instruct.InstructionImport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Instruction imports in PostgreSQL: which examples exist (so a re-import publishes nothing twice), each import's
 * counts and every rejection with its reason. All SQL is parameterized; the schema name is checked.
 */
public final class InstructionCatalog {
    /** What one import did; {@code created} is false when the same file was imported before. */
    public record Imported(
            String id, String dataset, String format, int accepted, int newExamples, int rejected, boolean created) {}

    /** Counts of one (dataset, format, split). */
    public record SplitCount(String dataset, String format, String split, long examples) {}

    /** Counts of one (dataset, format, reason) over all imports. */
    public record RejectionCount(String dataset, String format, String reason, long count) {}

    public record ImportRow(
            String id,
            String dataset,
            String format,
            long bytes,
            int accepted,
            int newExamples,
            int rejected,
            String tokenizerId,
            Integer context,
            String createdAt) {}

    private final DataSource ds;
    private final String s;

    public InstructionCatalog(DataSource ds, String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("bad schema name " + schema);
        this.ds = ds;
        this.s = schema + ".";
    }

    public Optional<Imported> find(String importId) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM " + s + "instruction_imports WHERE id = ?")) {
            ps.setString(1, importId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Imported(
                        rs.getString("id"),
                        rs.getString("dataset"),
                        rs.getString("format"),
                        rs.getInt("accepted"),
                        rs.getInt("new_examples"),
                        rs.getInt("rejected"),
                        false));
            }
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    /**
     * Records an import in one transaction: its row, the examples not known yet, its rejections. {@code publish}
     * gets the new examples inside the transaction and must return only once the broker has them; if it throws,
     * nothing is recorded, so sending the file again imports it again. A crash after the broker acknowledged but
     * before the commit would publish those examples once more on the retry: consumers key examples by id.
     */
    public Imported record(
            String importId,
            InstructionImport.Result result,
            long bytes,
            String tokenizerId,
            Integer context,
            Consumer<List<InstructionExample>> publish) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + s + "instruction_imports (id, dataset, format, bytes, "
                                + "accepted, new_examples, rejected, tokenizer_id, context) VALUES (?,?,?,?,?,0,?,?,?) ON CONFLICT (id) DO NOTHING")) {
                    ps.setString(1, importId);
                    ps.setString(2, result.dataset());
                    ps.setString(3, result.format());
                    ps.setLong(4, bytes);
                    ps.setInt(5, result.accepted().size());
                    ps.setInt(6, result.rejected().size());
                    ps.setString(7, tokenizerId);
                    ps.setObject(8, context);
                    if (ps.executeUpdate() == 0) {
                        c.rollback();
                        return find(importId).orElseThrow();
                    }
                }
                List<InstructionExample> fresh = new ArrayList<>();
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO " + s + "instruction_examples (id, dataset, format, split, "
                                + "split_group, import_id) VALUES (?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
                    for (InstructionExample e : result.accepted()) {
                        ps.setString(1, e.id());
                        ps.setString(2, e.dataset());
                        ps.setString(3, e.format());
                        ps.setString(4, e.split());
                        ps.setString(5, e.group());
                        ps.setString(6, importId);
                        if (ps.executeUpdate() == 1) fresh.add(e);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s
                        + "instruction_rejections (import_id, seq, record, " + "reason, detail) VALUES (?,?,?,?,?)")) {
                    int seq = 0;
                    for (InstructionImport.Rejection r : result.rejected()) {
                        ps.setString(1, importId);
                        ps.setInt(2, seq++);
                        ps.setLong(3, r.record());
                        ps.setString(4, r.reason().code);
                        ps.setString(5, r.detail());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE " + s + "instruction_imports SET new_examples = ? WHERE id = ?")) {
                    ps.setInt(1, fresh.size());
                    ps.setString(2, importId);
                    ps.executeUpdate();
                }
                publish.accept(fresh);
                c.commit();
                return new Imported(
                        importId,
                        result.dataset(),
                        result.format(),
                        result.accepted().size(),
                        fresh.size(),
                        result.rejected().size(),
                        true);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    public List<SplitCount> splits() {
        return query(
                "SELECT dataset, format, split, count(*) AS n FROM " + s
                        + "instruction_examples GROUP BY dataset, format, split " + "ORDER BY dataset, format, split",
                rs -> new SplitCount(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
    }

    public List<RejectionCount> rejections() {
        return query(
                "SELECT i.dataset, i.format, r.reason, count(*) FROM " + s + "instruction_rejections r JOIN " + s
                        + "instruction_imports i ON i.id = r.import_id GROUP BY i.dataset, i.format, r.reason ORDER BY 1, 2, 4 DESC",
                rs -> new RejectionCount(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
    }

    public List<ImportRow> imports() {
        return query(
                "SELECT id, dataset, format, bytes, accepted, new_examples, rejected, tokenizer_id, context, created_at FROM "
                        + s + "instruction_imports ORDER BY created_at DESC LIMIT 100",
                rs -> new ImportRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getInt(5),
                        rs.getInt(6),
                        rs.getInt(7),
                        rs.getString(8),
                        (Integer) rs.getObject(9),
                        rs.getTimestamp(10).toInstant().toString()));
    }

    /** The first {@code limit} rejections of one import, in file order. */
    public List<Map<String, Object>> rejectionsOf(String importId, int limit) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT record, reason, detail FROM " + s
                        + "instruction_rejections WHERE import_id = ? ORDER BY seq LIMIT ?")) {
            ps.setString(1, importId);
            ps.setInt(2, limit);
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("record", rs.getLong(1));
                    m.put("reason", rs.getString(2));
                    m.put("detail", rs.getString(3));
                    out.add(m);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.read(rs));
            return out;
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }
}
