package dev.scratchlm.feedback;

import dev.scratchlm.contracts.Json;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** One transaction on a connection of the pool: committed when the body returns, rolled back when it throws. */
public final class Sql {
    private Sql() {}

    @FunctionalInterface
    public interface Body<T> {
        T run(Connection c) throws SQLException;
    }

    public static <T> T tx(AgroalDataSource db, Body<T> body) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = body.run(c);
                c.commit();
                return out;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database: " + e.getMessage(), e);
        }
    }

    /** A value for a {@code JSONB} parameter ({@code ?::jsonb}). */
    public static String json(Object value) {
        return Json.string(value);
    }
}
