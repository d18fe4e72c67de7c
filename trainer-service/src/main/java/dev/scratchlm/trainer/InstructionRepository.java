package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Instruction examples from the {@code instructions} topic, one row per example id. */
public final class InstructionRepository {
    private static final TypeReference<List<ChatMessage>> MESSAGES = new TypeReference<>() {};
    private final DataSource db;

    public InstructionRepository(DataSource db) {
        this.db = db;
    }

    /** @return true when the example was new (a re-delivered record is a duplicate and changes nothing) */
    public boolean insert(InstructionExample e) {
        String sql = """
                insert into instructions (id, dataset, format, split, grp, messages) values (?, ?, ?, ?, ?, ?)
                on conflict (id) do nothing""";
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            JobRepository.bind(ps, e.id(), e.dataset(), e.format(), e.split(), e.group(), Json.string(e.messages()));
            return ps.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot store instruction example " + e.id() + ": " + ex.getMessage(), ex);
        }
    }

    /** Every example of the datasets, in id order (so a job's data is a function of what arrived, not of arrival order). */
    public List<InstructionExample> examples(List<String> datasets) {
        String sql = "select * from instructions where dataset = any (?) order by id";
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", datasets.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                List<InstructionExample> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new InstructionExample(
                            InstructionExample.SCHEMA,
                            rs.getString("id"),
                            rs.getString("dataset"),
                            rs.getString("format"),
                            rs.getString("split"),
                            rs.getString("grp"),
                            Json.MAPPER.readValue(rs.getString("messages"), MESSAGES)));
                }
                return out;
            }
        } catch (SQLException | java.io.IOException ex) {
            throw new IllegalStateException("cannot read instruction examples: " + ex.getMessage(), ex);
        }
    }

    /** Example counts per dataset and split: {dataset: {train: n, heldout: m, formats: [...]}}. */
    public Map<String, Map<String, Object>> counts() {
        String sql =
                "select dataset, split, count(*), string_agg(distinct format, ',') from instructions group by dataset, split order by dataset, split";
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> d = out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>());
                d.put(rs.getString(2), rs.getLong(3));
                d.put("formats", rs.getString(4));
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot count instruction examples: " + ex.getMessage(), ex);
        }
        return out;
    }
}
