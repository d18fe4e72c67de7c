package dev.scratchlm.chat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Json;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stored answers in PostgreSQL (schema {@code chat}): what a thumbs up or down refers to. They are kept for
 * {@code chat.answers.retention-days} (a rating comes soon after the answer, or never), then deleted hourly.
 */
@ApplicationScoped
public class AnswerStore {
    private static final Logger LOG = Logger.getLogger(AnswerStore.class.getName());
    /** A served answer: the conversation it answered and the text. */
    public record StoredAnswer(String id, String model, List<ChatMessage> prompt, String answer, Instant createdAt) {}

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "chat.answers.retention-days")
    int retentionDays;

    private ScheduledExecutorService purger;

    void start(@Observes StartupEvent event) {
        purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "answer-retention");
            t.setDaemon(true);
            return t;
        });
        purger.scheduleWithFixedDelay(
                () -> {
                    try {
                        int n = purgeOlderThan(Duration.ofDays(retentionDays));
                        if (n > 0) LOG.info("deleted " + n + " stored answers older than " + retentionDays + " days");
                    } catch (RuntimeException e) {
                        LOG.warning("cannot purge old answers yet: " + e.getMessage());
                    }
                },
                1,
                60,
                TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent event) {
        if (purger != null) purger.shutdownNow();
    }

    /** Deletes answers stored longer ago than {@code age}. @return how many */
    public int purgeOlderThan(Duration age) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "DELETE FROM chat.answers WHERE created_at < now() - make_interval(secs => ?)")) {
            st.setDouble(1, age.toSeconds());
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot purge answers: " + e.getMessage(), e);
        }
    }

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

    /** The feedback last published for an answer, if any. */
    public record SentFeedback(boolean thumbsUp, String comment) {}

    public Optional<SentFeedback> sentFeedback(String id) {
        try (Connection c = db.getConnection();
                PreparedStatement st =
                        c.prepareStatement("SELECT feedback_thumbs_up, feedback_comment FROM chat.answers "
                                + "WHERE id = ? AND feedback_thumbs_up IS NOT NULL")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(new SentFeedback(rs.getBoolean(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the feedback of answer " + id + ": " + e.getMessage(), e);
        }
    }

    /** Notes the feedback the broker acknowledged for an answer. */
    public void feedbackSent(String id, SentFeedback f) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE chat.answers SET feedback_thumbs_up = ?, feedback_comment = ? WHERE id = ?")) {
            st.setBoolean(1, f.thumbsUp());
            st.setString(2, f.comment());
            st.setString(3, id);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot note the feedback of answer " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<StoredAnswer> find(String id) {
        try (Connection c = db.getConnection();
                PreparedStatement st =
                        c.prepareStatement("SELECT model, prompt, answer, created_at FROM chat.answers WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                List<ChatMessage> prompt =
                        Json.MAPPER.readValue(rs.getString(2), new TypeReference<List<ChatMessage>>() {});
                return Optional.of(new StoredAnswer(
                        id,
                        rs.getString(1),
                        prompt,
                        rs.getString(3),
                        rs.getTimestamp(4).toInstant()));
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read answer " + id + ": " + e.getMessage(), e);
        }
    }
}
