package dev.scratchlm.feedback.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Records to publish, written in the transaction that decided them; {@link OutboxRelay} sends them once committed.
 * The row's id travels in the record's {@value #ID_HEADER} header, which is how the relay tells, after a crash, which
 * rows already reached the topic.
 */
public final class Outbox {
    private Outbox() {}

    public static final String ID_HEADER = "outbox-id";

    public static void add(Connection c, String id, String topic, String key, byte[] payload, Instant availableAt)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO outbox (id, topic, record_key, payload, available_at) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, topic);
            s.setString(3, key);
            s.setBytes(4, payload);
            s.setTimestamp(5, Timestamp.from(availableAt));
            s.executeUpdate();
        }
    }

    /** Takes an unsent row back (an undo); false when it was sent already (or never existed). */
    public static boolean withdraw(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM outbox WHERE id = ? AND sent_at IS NULL")) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
        }
    }
}
