package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.TokenizerRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Tokenizers seen on the {@code tokenizers} topic: vocabulary size and special tokens for pre-training, and the
 * whole definition, which fine-tuning needs to render examples with the chat template.
 */
public final class TokenizerRepository {
    public record TokenizerInfo(
            String id, int vocabSize, String numberPolicy, Map<String, Integer> specialTokens, Instant createdAt) {}

    private static final TypeReference<Map<String, Integer>> SPECIALS = new TypeReference<>() {};
    private final DataSource db;

    public TokenizerRepository(DataSource db) {
        this.db = db;
    }

    /** The newest record per id wins, as on the compacted topic. */
    public void upsert(TokenizerRecord r) {
        String sql = """
                insert into tokenizers (id, vocab_size, number_policy, special_tokens, created_at, definition, received_at)
                values (?, ?, ?, ?, ?, ?, now())
                on conflict (id) do update set vocab_size = excluded.vocab_size, number_policy = excluded.number_policy,
                    special_tokens = excluded.special_tokens, created_at = excluded.created_at,
                    definition = excluded.definition, received_at = now()""";
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, r.id());
            ps.setInt(2, r.vocabSize());
            ps.setString(3, r.numberPolicy());
            ps.setString(4, r.specialTokens() == null ? null : Json.string(r.specialTokens()));
            ps.setTimestamp(5, r.createdAt() == null ? null : Timestamp.from(r.createdAt()));
            ps.setString(6, r.definition());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store tokenizer " + r.id() + ": " + e.getMessage(), e);
        }
    }

    /** The tokenizer in the BPE library's serialized format (what fine-tuning renders chats with), if it arrived whole. */
    public Optional<String> definition(String id) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("select definition from tokenizers where id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read tokenizer " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<TokenizerInfo> find(String id) {
        List<TokenizerInfo> found = query("select * from tokenizers where id = ?", id);
        return found.stream().findFirst();
    }

    /** Newest first (by the tokenizer's creation time, then by when it arrived). */
    public List<TokenizerInfo> all() {
        return query(
                "select * from tokenizers order by coalesce(created_at, received_at) desc, received_at desc", null);
    }

    private List<TokenizerInfo> query(String sql, String param) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                List<TokenizerInfo> out = new ArrayList<>();
                while (rs.next()) {
                    String specials = rs.getString("special_tokens");
                    Timestamp created = rs.getTimestamp("created_at");
                    out.add(new TokenizerInfo(
                            rs.getString("id"),
                            rs.getInt("vocab_size"),
                            rs.getString("number_policy"),
                            specials == null ? Map.of() : readSpecials(specials),
                            created == null ? rs.getTimestamp("received_at").toInstant() : created.toInstant()));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read tokenizers: " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> readSpecials(String json) {
        try {
            return Json.MAPPER.readValue(json, SPECIALS);
        } catch (Exception e) {
            return Map.of();
        }
    }
}
