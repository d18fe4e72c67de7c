package dev.scratchlm.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.contracts.Json;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tokenizer registry in PostgreSQL (schema tokenizer). */
@ApplicationScoped
public class TokenizerRepository {
    private static final String COLUMNS =
            "id, name, vocab_size, pattern, number_policy, special_tokens, training, created_at, active, activated_at";

    @Inject
    AgroalDataSource db;

    /** @return false when a tokenizer with this id is already registered (training the same thing twice) */
    public boolean insert(StoredTokenizer t) {
        String sql = "INSERT INTO tokenizer.tokenizers (id, name, vocab_size, pattern, number_policy, special_tokens, "
                + "definition, training, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?) ON CONFLICT (id) DO NOTHING";
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, t.id());
            s.setString(2, t.name());
            s.setInt(3, t.vocabSize());
            s.setString(4, t.pattern());
            s.setString(5, t.numberPolicy());
            s.setString(6, Json.string(t.specialTokens()));
            s.setString(7, t.definition());
            s.setString(8, Json.string(t.training()));
            s.setTimestamp(9, Timestamp.from(t.createdAt()));
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register tokenizer " + t.id() + ": " + e.getMessage(), e);
        }
    }

    public Optional<StoredTokenizer> find(String id) {
        String sql = "SELECT " + COLUMNS + ", definition FROM tokenizer.tokenizers WHERE id = ?";
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(row(r, r.getString("definition"))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read tokenizer " + id + ": " + e.getMessage(), e);
        }
    }

    /** Every registered tokenizer, newest first, without definitions. */
    public List<StoredTokenizer> list() {
        String sql = "SELECT " + COLUMNS + " FROM tokenizer.tokenizers ORDER BY created_at DESC, id";
        List<StoredTokenizer> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            while (r.next()) out.add(row(r, null));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list tokenizers: " + e.getMessage(), e);
        }
        return out;
    }

    /** The active tokenizer's id and definition, if one is active. */
    public Optional<StoredTokenizer> active() {
        String sql = "SELECT " + COLUMNS + ", definition FROM tokenizer.tokenizers WHERE active";
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(row(r, r.getString("definition"))) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the active tokenizer: " + e.getMessage(), e);
        }
    }

    /** Just the active tokenizer's id: cheap enough to poll. */
    public Optional<String> activeId() {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM tokenizer.tokenizers WHERE active");
                ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the active tokenizer: " + e.getMessage(), e);
        }
    }

    /** Makes this tokenizer the active one (and no other). @return false if there is no such tokenizer */
    public boolean activate(String id) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement exists =
                    c.prepareStatement("SELECT active FROM tokenizer.tokenizers WHERE id = ? FOR UPDATE")) {
                exists.setString(1, id);
                try (ResultSet r = exists.executeQuery()) {
                    if (!r.next()) {
                        c.rollback();
                        return false;
                    }
                    if (r.getBoolean(1)) {
                        c.commit();
                        return true;
                    }
                }
            }
            try (PreparedStatement off =
                            c.prepareStatement("UPDATE tokenizer.tokenizers SET active = false WHERE active");
                    PreparedStatement on = c.prepareStatement(
                            "UPDATE tokenizer.tokenizers SET active = true, activated_at = now() WHERE id = ?")) {
                off.executeUpdate();
                on.setString(1, id);
                on.executeUpdate();
            }
            c.commit();
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot activate tokenizer " + id + ": " + e.getMessage(), e);
        }
    }

    /** Activates this tokenizer only if none is active. @return whether it became active */
    public boolean activateIfNoneActive(String id) {
        String sql = "UPDATE tokenizer.tokenizers SET active = true, activated_at = now() WHERE id = ? "
                + "AND NOT EXISTS (SELECT 1 FROM tokenizer.tokenizers WHERE active)";
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) return false; // another replica activated one at the same moment
            throw new IllegalStateException("cannot activate tokenizer " + id + ": " + e.getMessage(), e);
        }
    }

    /** The end-of-text id of a registered tokenizer (from its special tokens), if it is registered. */
    public Optional<Integer> endOfTextId(String id) {
        String sql = "SELECT (special_tokens ->> '<|endoftext|>')::int FROM tokenizer.tokenizers WHERE id = ?";
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                int v = r.getInt(1);
                return r.wasNull() ? Optional.empty() : Optional.of(v);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read tokenizer " + id + ": " + e.getMessage(), e);
        }
    }

    private static StoredTokenizer row(ResultSet r, String definition) throws SQLException {
        Timestamp activated = r.getTimestamp("activated_at");
        return new StoredTokenizer(
                r.getString("id"),
                r.getString("name"),
                r.getInt("vocab_size"),
                r.getString("pattern"),
                r.getString("number_policy"),
                parse(r.getString("special_tokens"), new TypeReference<Map<String, Integer>>() {}),
                definition,
                parse(r.getString("training"), new TypeReference<Map<String, Object>>() {}),
                r.getTimestamp("created_at").toInstant(),
                r.getBoolean("active"),
                activated == null ? null : activated.toInstant());
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON column: " + e.getOriginalMessage(), e);
        }
    }
}
