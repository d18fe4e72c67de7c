package dev.scratchlm.chat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.contracts.ChatMessage;
import dev.scratchlm.contracts.Json;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Stored answers in PostgreSQL (schema {@code chat}): what a thumbs up or down refers to. */
@ApplicationScoped
public class AnswerStore {
    /** A served answer: the conversation it answered and the text. */
    public record StoredAnswer(String id, String model, List<ChatMessage> prompt, String answer, Instant createdAt) {}

    @Inject
    AgroalDataSource db;

    public void save(String id, String model, List<ChatMessage> prompt, String answer) {
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement(
                     "INSERT INTO chat.answers (id, model, prompt, answer) VALUES (?, ?, ?::jsonb, ?) ON CONFLICT (id) DO NOTHING")) {
            st.setString(1, id);
            st.setString(2, model);
            st.setString(3, Json.string(prompt));
            st.setString(4, answer);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store answer " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<StoredAnswer> find(String id) {
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT model, prompt, answer, created_at FROM chat.answers WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                List<ChatMessage> prompt = Json.MAPPER.readValue(rs.getString(2), new TypeReference<List<ChatMessage>>() {});
                return Optional.of(new StoredAnswer(id, rs.getString(1), prompt, rs.getString(3),
                        rs.getTimestamp(4).toInstant()));
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read answer " + id + ": " + e.getMessage(), e);
        }
    }
}
