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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every document seen, and the text of as many as the sample store's byte cap allows: what tokenizers are trained
 * from (train split) and measured on (val split). In PostgreSQL so that every replica trains from the same sample.
 */
@ApplicationScoped
public class SampleRepository {
    @Inject
    AgroalDataSource db;

    /** One document as stored; text null once the store is full. */
    public record Row(String id, String language, LocalDate published, String split, int bytes, String text) {}

    /** How much text a training or validation read took. */
    public record Taken(long documents, long bytes) {}

    /** Documents seen: all, with stored text, and per language and split. */
    public record Corpus(
            long documents,
            long bytes,
            long storedDocuments,
            long storedBytes,
            Map<String, Long> documentsByLanguage,
            Map<String, Long> documentsBySplit) {}

    /**
     * Inserts the documents not seen before, in one transaction.
     *
     * @return the stored-text bytes this added
     */
    public long insert(List<Row> rows) {
        String sql = "INSERT INTO tokenizer.documents (id, language, published, split, bytes, text) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            int[] counts;
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (Row row : rows) {
                    s.setString(1, row.id());
                    s.setString(2, row.language());
                    if (row.published() == null) s.setNull(3, Types.DATE);
                    else s.setDate(3, Date.valueOf(row.published()));
                    s.setString(4, row.split());
                    s.setInt(5, row.bytes());
                    s.setString(6, row.text());
                    s.addBatch();
                }
                counts = s.executeBatch();
            }
            c.commit();
            long added = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0 && rows.get(i).text() != null)
                    added += rows.get(i).bytes();
            }
            return added;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store " + rows.size() + " documents: " + e.getMessage(), e);
        }
    }

    public long storedTextBytes() {
        return single("SELECT coalesce(sum(bytes), 0) FROM tokenizer.documents WHERE text IS NOT NULL");
    }

    /**
     * Streams stored texts of one split, in document-id order (a hash, so a fair sample of every source), taking
     * whole documents while they fit in {@code maxBytes}.
     *
     * @param languages null or empty for all
     */
    public Taken forEachText(String split, List<String> languages, long maxBytes, Consumer<String> sink) {
        boolean filter = languages != null && !languages.isEmpty();
        String sql = "SELECT text, bytes FROM tokenizer.documents WHERE split = ? AND text IS NOT NULL"
                + (filter ? " AND language = ANY(?)" : "") + " ORDER BY id";
        long docs = 0;
        long bytes = 0;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false); // lets the driver stream with a cursor instead of loading every row
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setFetchSize(256);
                s.setString(1, split);
                if (filter) s.setArray(2, c.createArrayOf("text", languages.toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next() && bytes < maxBytes) {
                        int size = r.getInt(2);
                        if (bytes + size > maxBytes) continue;
                        sink.accept(r.getString(1));
                        docs++;
                        bytes += size;
                    }
                }
            }
            c.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the document sample: " + e.getMessage(), e);
        }
        return new Taken(docs, bytes);
    }

    public Corpus corpus() {
        try (Connection c = db.getConnection()) {
            long documents = 0, bytes = 0, storedDocs = 0, storedBytes = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT count(*), coalesce(sum(bytes), 0), count(text), "
                            + "coalesce(sum(bytes) FILTER (WHERE text IS NOT NULL), 0) FROM tokenizer.documents");
                    ResultSet r = s.executeQuery()) {
                r.next();
                documents = r.getLong(1);
                bytes = r.getLong(2);
                storedDocs = r.getLong(3);
                storedBytes = r.getLong(4);
            }
            return new Corpus(
                    documents,
                    bytes,
                    storedDocs,
                    storedBytes,
                    counts(
                            c,
                            "SELECT coalesce(language, 'unknown'), count(*) FROM tokenizer.documents GROUP BY 1 ORDER BY 2 DESC, 1"),
                    counts(c, "SELECT split, count(*) FROM tokenizer.documents GROUP BY 1 ORDER BY 1"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the corpus statistics: " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> counts(Connection c, String sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            while (r.next()) out.put(r.getString(1), r.getLong(2));
        }
        return out;
    }

    private long single(String sql) {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
