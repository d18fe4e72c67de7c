package dev.scratchlm.ingest.catalog;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.ingest.source.UploadStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The ingest catalog in PostgreSQL: sources, their tasks, one row per input record, and the dedup keys. All SQL is
 * parameterized; the schema name comes from configuration and is checked to be a plain identifier.
 */
public final class CatalogRepository implements UploadStore {
    /** Serializes dedup decisions across replicas (pg_advisory_xact_lock key; any constant shared by all). */
    private static final long DEDUP_LOCK = 0x5C7A7C11_16E57L;

    private final DataSource ds;
    private final String s;

    public CatalogRepository(DataSource dataSource, String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("bad schema name " + schema);
        this.ds = dataSource;
        this.s = schema + ".";
    }

    // ---- sources and tasks ------------------------------------------------------------------------------------

    /**
     * Stores a new source, still to be planned, with its uploaded files, in one transaction; the caller holds the
     * planning lease for {@code lease}.
     *
     * @return false when a source with this id already existed (nothing is written then)
     */
    public boolean createSource(SourceRow src, Map<String, Upload> uploads, Duration lease) {
        return tx(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO " + s + "sources (id, type, location, cutoff, undated, "
                            + "languages, license, record_limit, planning_until) VALUES (?,?,?,?,?,?,?,?, now() + make_interval(secs => ?)) "
                            + "ON CONFLICT (id) DO NOTHING")) {
                ps.setString(1, src.id());
                ps.setString(2, src.type());
                ps.setString(3, src.location());
                ps.setObject(4, src.cutoff());
                ps.setString(5, src.undated());
                ps.setArray(6, c.createArrayOf("text", src.languages().toArray()));
                ps.setString(7, src.license());
                ps.setObject(8, src.recordLimit());
                ps.setDouble(9, lease.toSeconds());
                if (ps.executeUpdate() == 0) return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + s + "uploads (id, source_id, name, content) VALUES (?,?,?,?)")) {
                for (Map.Entry<String, Upload> u : uploads.entrySet()) {
                    ps.setString(1, u.getKey());
                    ps.setString(2, src.id());
                    ps.setString(3, u.getValue().name());
                    ps.setBytes(4, u.getValue().content());
                    ps.addBatch();
                }
                if (!uploads.isEmpty()) ps.executeBatch();
            }
            return true;
        });
    }

    /**
     * Stores a planned source's tasks, in one transaction with its task count.
     *
     * @return false when the source was planned already (by a replica that took over a lapsed lease): nothing is written
     */
    public boolean storeTasks(String sourceId, List<IngestTask> tasks) {
        return tx(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE " + s + "sources SET tasks_total = ?, planning_until = NULL, "
                            + "planning_error = NULL WHERE id = ? AND tasks_total IS NULL")) {
                ps.setInt(1, tasks.size());
                ps.setString(2, sourceId);
                if (ps.executeUpdate() == 0) return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + s + "tasks (id, source_id, seq, task) VALUES (?,?,?,?::jsonb)")) {
                int seq = 0;
                for (IngestTask t : tasks) {
                    ps.setString(1, t.taskId());
                    ps.setString(2, sourceId);
                    ps.setInt(3, seq++);
                    ps.setString(4, Json.string(t));
                    ps.addBatch();
                }
                if (!tasks.isEmpty()) ps.executeBatch();
            }
            if (tasks.isEmpty()) { // nothing to read (empty files): no task will ever release the uploads
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + s + "uploads WHERE source_id = ?")) {
                    ps.setString(1, sourceId);
                    ps.executeUpdate();
                }
            }
            return true;
        });
    }

    /** Renews the planning lease of sources this replica is still planning. */
    public void renewPlanningLease(Collection<String> sourceIds, Duration lease) {
        if (sourceIds.isEmpty()) return;
        tx(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE " + s + "sources SET planning_until = now() + make_interval(secs => ?) "
                            + "WHERE id = ANY (?) AND tasks_total IS NULL")) {
                ps.setDouble(1, lease.toSeconds());
                ps.setArray(2, c.createArrayOf("text", sourceIds.toArray()));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Takes over the sources whose planning lease has lapsed (the replica planning them stopped): this replica now
     * holds their lease for {@code lease}. Two replicas asking at once never get the same source.
     */
    public List<SourceRow> claimUnplanned(Duration lease) {
        List<String> ids = query(
                "UPDATE " + s + "sources SET planning_until = now() + make_interval(secs => ?) "
                        + "WHERE tasks_total IS NULL AND (planning_until IS NULL OR planning_until < now()) RETURNING id",
                rs -> rs.getString(1),
                (double) lease.toSeconds());
        List<SourceRow> rows = new ArrayList<>();
        for (String id : ids) source(id).ifPresent(rows::add);
        return rows;
    }

    /**
     * Planning could not read the source's files: it stays unplanned, says why, and is claimed again after a backoff
     * of 15 s doubling with each failed attempt, up to 8 minutes.
     */
    public void planningFailed(String sourceId, String error) {
        update(
                "UPDATE " + s + "sources SET planning_error = ?, planning_attempts = planning_attempts + 1, "
                        + "planning_until = now() + make_interval(secs => least(480, 15 * power(2, least(planning_attempts, 5)))) "
                        + "WHERE id = ? AND tasks_total IS NULL",
                error,
                sourceId);
    }

    /** Why the last planning of an unplanned source failed, if it did. */
    public Optional<String> planningError(String sourceId) {
        return query(
                        "SELECT planning_error FROM " + s
                                + "sources WHERE id = ? AND tasks_total IS NULL AND planning_error IS NOT NULL",
                        rs -> rs.getString(1),
                        sourceId)
                .stream()
                .findFirst();
    }

    /**
     * Takes the planning lease of one source now, also while it waits out the backoff of a failed planning (a person
     * asked to plan it again); not while another replica is planning it. Empty when the source is planned or leased.
     */
    public Optional<SourceRow> claimForPlanning(String sourceId, Duration lease) {
        List<String> ids = query(
                "UPDATE " + s + "sources SET planning_until = now() + make_interval(secs => ?) "
                        + "WHERE id = ? AND tasks_total IS NULL AND (planning_until IS NULL OR planning_until < now() "
                        + "OR planning_error IS NOT NULL) RETURNING id",
                rs -> rs.getString(1),
                (double) lease.toSeconds(),
                sourceId);
        return ids.isEmpty() ? Optional.empty() : source(sourceId);
    }

    /** Makes a source planned with no tasks unplanned again (nothing was read from it, so nothing is counted twice). */
    public boolean unplanEmpty(String sourceId) {
        return tx(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE " + s + "sources SET tasks_total = NULL, tasks_published = false, "
                            + "planning_until = NULL, planning_error = NULL WHERE id = ? AND tasks_total = 0")) {
                ps.setString(1, sourceId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The names of a source's uploaded files, by upload id, in the order they were sent. */
    public Map<String, String> uploadNames(String sourceId) {
        Map<String, String> names = new LinkedHashMap<>();
        query(
                "SELECT id, name FROM " + s + "uploads WHERE source_id = ? ORDER BY length(id), id",
                rs -> names.put(rs.getString(1), rs.getString(2)),
                sourceId);
        return names;
    }

    public record Upload(String name, byte[] content) {}

    public Optional<SourceRow> source(String id) {
        List<SourceRow> rows = sources("WHERE id = ?", id);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Newest first. */
    public List<SourceRow> sources() {
        return sources("ORDER BY created_at DESC, id LIMIT 200");
    }

    private List<SourceRow> sources(String where, Object... args) {
        return query(
                "SELECT id, type, location, cutoff, undated, languages, license, tasks_total, tasks_published, created_at, "
                        + "record_limit FROM " + s + "sources " + where,
                rs -> {
                    Array langs = rs.getArray(6);
                    Timestamp created = rs.getTimestamp(10);
                    return new SourceRow(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getObject(4, LocalDate.class),
                            rs.getString(5),
                            Arrays.asList((String[]) langs.getArray()),
                            rs.getString(7),
                            rs.getObject(8, Integer.class),
                            rs.getBoolean(9),
                            created.toInstant(),
                            rs.getObject(11, Long.class));
                },
                args);
    }

    public List<IngestTask> tasks(String sourceId) {
        return query(
                "SELECT task::text FROM " + s + "tasks WHERE source_id = ? ORDER BY seq",
                rs -> Json.read(rs.getString(1), IngestTask.class),
                sourceId);
    }

    /** The task as planning stored it, if the catalog has one with this id. */
    public Optional<IngestTask> task(String taskId) {
        return query(
                        "SELECT task::text FROM " + s + "tasks WHERE id = ?",
                        rs -> Json.read(rs.getString(1), IngestTask.class),
                        taskId)
                .stream()
                .findFirst();
    }

    public void markPublished(String sourceId) {
        update("UPDATE " + s + "sources SET tasks_published = true WHERE id = ?", sourceId);
    }

    /**
     * Sources whose tasks may not all be on the topic yet (the process stopped while publishing them, or the broker
     * was away), stored at least {@code minAgeSeconds} ago (so a request still publishing its own is left alone).
     */
    public List<String> unpublishedSources(int minAgeSeconds) {
        return query(
                "SELECT id FROM " + s + "sources WHERE NOT tasks_published AND tasks_total IS NOT NULL "
                        + "AND created_at <= now() - make_interval(secs => ?) ORDER BY created_at",
                rs -> rs.getString(1),
                minAgeSeconds);
    }

    /**
     * Records that a task's Kafka transaction committed; once every task of its source has, the source's uploaded
     * files are deleted (a replay, which re-reads them, only happens before that commit).
     * @return how many uploaded files were deleted
     */
    public int taskPublished(String taskId, String sourceId) {
        return tx(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE " + s + "task_runs SET published = true WHERE task_id = ?")) {
                ps.setString(1, taskId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + s + "uploads u WHERE u.source_id = ? AND "
                    + "(SELECT count(*) FROM " + s + "task_runs r WHERE r.source_id = ? AND r.published) = "
                    + "(SELECT tasks_total FROM " + s + "sources WHERE id = ?)")) {
                ps.setString(1, sourceId);
                ps.setString(2, sourceId);
                ps.setString(3, sourceId);
                return ps.executeUpdate();
            }
        });
    }

    /** Uploaded files still stored for a source (deleted once all its tasks are published). */
    public int uploadsStored(String sourceId) {
        return query("SELECT count(*) FROM " + s + "uploads WHERE source_id = ?", rs -> rs.getInt(1), sourceId)
                .get(0);
    }

    @Override
    public InputStream open(String uploadId) throws IOException {
        List<byte[]> content =
                query("SELECT content FROM " + s + "uploads WHERE id = ?", rs -> rs.getBytes(1), uploadId);
        if (content.isEmpty()) throw new NoSuchFileException("upload " + uploadId);
        return new ByteArrayInputStream(content.get(0));
    }

    // ---- the per-task decision -------------------------------------------------------------------------------

    public enum Verdict {
        /** First time: decisions made and stored; publish them. */
        PUBLISH,
        /** This very message was decided before but its publication did not commit: publish the stored decisions again. */
        REPLAY,
        /** Another copy of the task (a re-published task) already did the work: publish nothing. */
        SKIP
    }

    /**
     * Makes the catalog decisions of one task in ONE transaction: exact dedup (texts primary key), near dedup
     * (MinHash band keys), a row per record and the task's done marker. Either all of it is durable or none.
     * Dedup decisions of all replicas are serialized by a transaction-level advisory lock, so the band check and the
     * band insert cannot interleave with another replica's.
     */
    public Verdict decide(IngestTask task, int partition, long offset, String worker, List<Outcome> outcomes) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, DEDUP_LOCK);
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT topic_partition, topic_offset FROM " + s + "task_runs WHERE task_id = ?")) {
                ps.setString(1, task.taskId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getInt(1) != partition || rs.getLong(2) != offset) return Verdict.SKIP;
                        restoreDecisions(c, task.taskId(), outcomes);
                        return Verdict.REPLAY;
                    }
                }
            }
            exactDedup(c, task, outcomes);
            nearDedup(c, outcomes);
            insertRecords(c, task, outcomes);
            int accepted = (int) outcomes.stream().filter(Outcome::accepted).count();
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO " + s + "task_runs (task_id, source_id, topic_partition, "
                            + "topic_offset, worker, accepted, rejected) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, task.taskId());
                ps.setString(2, task.sourceId());
                ps.setInt(3, partition);
                ps.setLong(4, offset);
                ps.setString(5, worker);
                ps.setInt(6, accepted);
                ps.setInt(7, outcomes.size() - accepted);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + s + "task_failures WHERE task_id = ?")) {
                ps.setString(1, task.taskId()); // a dead-lettered task, replayed and done at last
                ps.executeUpdate();
            }
            return Verdict.PUBLISH;
        });
    }

    private void restoreDecisions(Connection c, String taskId, List<Outcome> outcomes) throws SQLException {
        Map<Long, Outcome> byNo = new HashMap<>();
        for (Outcome o : outcomes) byNo.put(o.recordNo, o);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT record_no, accepted, filter, reason FROM " + s + "records WHERE task_id = ?")) {
            ps.setString(1, taskId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Outcome o = byNo.get(rs.getLong(1));
                    if (o != null) o.restore(rs.getBoolean(2), rs.getString(3), rs.getString(4));
                }
            }
        }
    }

    private void exactDedup(Connection c, IngestTask task, List<Outcome> outcomes) throws SQLException {
        Map<String, Outcome> firstInTask = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (!o.accepted()) continue;
            Outcome first = firstInTask.putIfAbsent(o.docId, o);
            if (first != null) o.reject("dedup.exact", "same text as " + first.uri + " (document " + o.docId + ")");
        }
        if (firstInTask.isEmpty()) return;
        String[] ids = firstInTask.keySet().toArray(String[]::new);
        String[] uris = firstInTask.values().stream().map(o -> o.uri).toArray(String[]::new);
        String[] sources = new String[ids.length];
        Arrays.fill(sources, task.sourceId());
        Set<String> claimed = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "texts (id, source_id, uri) "
                + "SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT (id) DO NOTHING RETURNING id")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", sources));
            ps.setArray(3, c.createArrayOf("text", uris));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) claimed.add(rs.getString(1));
            }
        }
        if (claimed.size() == ids.length) return;
        String[] taken = Arrays.stream(ids).filter(id -> !claimed.contains(id)).toArray(String[]::new);
        Map<String, String> where = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id, uri, source_id FROM " + s + "texts WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", taken));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) where.put(rs.getString(1), rs.getString(2) + " (source " + rs.getString(3) + ")");
            }
        }
        for (String id : taken) {
            firstInTask
                    .get(id)
                    .reject(
                            "dedup.exact",
                            "same text already ingested from " + where.get(id) + " (document " + id + ")");
        }
    }

    private void nearDedup(Connection c, List<Outcome> outcomes) throws SQLException {
        List<Outcome> candidates = outcomes.stream()
                .filter(o -> o.accepted() && o.doc != null && o.doc.bandKeys != null)
                .toList();
        if (candidates.isEmpty()) return;
        int bands = candidates.get(0).doc.bandKeys.length;
        int n = candidates.size() * bands;
        Integer[] band = new Integer[n];
        Long[] bucket = new Long[n];
        for (int i = 0, k = 0; i < candidates.size(); i++) {
            long[] keys = candidates.get(i).doc.bandKeys;
            for (int b = 0; b < bands; b++, k++) {
                band[k] = b;
                bucket[k] = keys[b];
            }
        }
        Map<BandKey, String> seen = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT m.band, m.bucket, m.doc_id FROM " + s + "minhash_bands m "
                        + "JOIN unnest(?::smallint[], ?::bigint[]) AS q(band, bucket) ON m.band = q.band AND m.bucket = q.bucket")) {
            ps.setArray(1, c.createArrayOf("smallint", band));
            ps.setArray(2, c.createArrayOf("bigint", bucket));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) seen.put(new BandKey(rs.getInt(1), rs.getLong(2)), rs.getString(3));
            }
        }
        List<Integer> newBand = new ArrayList<>();
        List<Long> newBucket = new ArrayList<>();
        List<String> newDoc = new ArrayList<>();
        for (Outcome o : candidates) {
            long[] keys = o.doc.bandKeys;
            String match = null;
            int matchBand = -1;
            for (int b = 0; b < keys.length && match == null; b++) {
                match = seen.get(new BandKey(b, keys[b]));
                matchBand = b;
            }
            if (match != null) {
                o.reject(
                        "dedup.near",
                        "near duplicate of document " + match + " (MinHash LSH band " + matchBand + " of " + keys.length
                                + " matches)");
                continue;
            }
            for (int b = 0; b < keys.length; b++) {
                seen.put(new BandKey(b, keys[b]), o.docId);
                newBand.add(b);
                newBucket.add(keys[b]);
                newDoc.add(o.docId);
            }
        }
        if (newBand.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "minhash_bands (band, bucket, doc_id) "
                + "SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::text[]) ON CONFLICT DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("smallint", newBand.toArray()));
            ps.setArray(2, c.createArrayOf("bigint", newBucket.toArray()));
            ps.setArray(3, c.createArrayOf("text", newDoc.toArray()));
            ps.executeUpdate();
        }
    }

    private record BandKey(int band, long bucket) {}

    private void insertRecords(Connection c, IngestTask task, List<Outcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) return;
        int n = outcomes.size();
        String[] taskIds = new String[n],
                sourceIds = new String[n],
                docIds = new String[n],
                uris = new String[n],
                titles = new String[n],
                languages = new String[n],
                filters = new String[n],
                reasons = new String[n];
        Long[] recordNos = new Long[n];
        Date[] dates = new Date[n];
        Boolean[] accepted = new Boolean[n];
        Integer[] bytes = new Integer[n];
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i);
            taskIds[i] = task.taskId();
            sourceIds[i] = task.sourceId();
            recordNos[i] = o.recordNo;
            docIds[i] = o.docId;
            uris[i] = o.uri;
            titles[i] = o.title;
            dates[i] = o.date == null ? null : Date.valueOf(o.date);
            languages[i] = o.language;
            accepted[i] = o.accepted();
            filters[i] = o.filter();
            reasons[i] = o.reason();
            bytes[i] = o.bytes;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + s + "records (task_id, record_no, source_id, doc_id, uri, "
                        + "title, doc_date, language, accepted, filter, reason, bytes) SELECT * FROM unnest(?::text[], ?::bigint[], "
                        + "?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::text[], ?::boolean[], ?::text[], ?::text[], ?::int[])")) {
            ps.setArray(1, c.createArrayOf("text", taskIds));
            ps.setArray(2, c.createArrayOf("bigint", recordNos));
            ps.setArray(3, c.createArrayOf("text", sourceIds));
            ps.setArray(4, c.createArrayOf("text", docIds));
            ps.setArray(5, c.createArrayOf("text", uris));
            ps.setArray(6, c.createArrayOf("text", titles));
            ps.setArray(7, c.createArrayOf("date", dates));
            ps.setArray(8, c.createArrayOf("text", languages));
            ps.setArray(9, c.createArrayOf("boolean", accepted));
            ps.setArray(10, c.createArrayOf("text", filters));
            ps.setArray(11, c.createArrayOf("text", reasons));
            ps.setArray(12, c.createArrayOf("int4", bytes));
            ps.executeUpdate();
        }
    }

    // ---- tasks that kept failing ------------------------------------------------------------------------------

    /** A task that failed every attempt, as its source's status shows it. */
    public record TaskFailure(String taskId, int attempts, String reason, java.time.Instant failedAt) {}

    /**
     * Records that a task gave up after {@code attempts} (it goes to the dead-letter topic next). Not for a task that
     * is done: a copy of a finished task never fails this way, and a success deletes the row.
     */
    public void taskFailed(IngestTask task, int partition, long offset, String worker, int attempts, String reason) {
        update(
                "INSERT INTO " + s
                        + "task_failures (task_id, source_id, topic_partition, topic_offset, worker, attempts, reason) "
                        + "SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM " + s + "tasks WHERE id = ?) "
                        + "ON CONFLICT (task_id) DO UPDATE SET topic_partition = EXCLUDED.topic_partition, topic_offset = EXCLUDED.topic_offset, "
                        + "worker = EXCLUDED.worker, attempts = EXCLUDED.attempts, reason = EXCLUDED.reason, failed_at = now()",
                task.taskId(),
                task.sourceId(),
                partition,
                offset,
                worker,
                attempts,
                reason,
                task.taskId());
    }

    public List<TaskFailure> failures(String sourceId) {
        return query(
                "SELECT task_id, attempts, reason, failed_at FROM " + s
                        + "task_failures WHERE source_id = ? ORDER BY task_id",
                rs -> new TaskFailure(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getTimestamp(4).toInstant()),
                sourceId);
    }

    // ---- progress and totals ---------------------------------------------------------------------------------

    public Optional<SourceProgress> progress(String sourceId) {
        return source(sourceId).map(src -> {
            // A task that failed after its catalog commit (its publication kept failing) counts as failed, not done.
            int done = query(
                            "SELECT count(*) FROM " + s + "task_runs r WHERE r.source_id = ? AND NOT EXISTS "
                                    + "(SELECT 1 FROM " + s + "task_failures f WHERE f.task_id = r.task_id)",
                            rs -> rs.getInt(1),
                            sourceId)
                    .get(0);
            long[] totals = new long[3];
            Map<String, Long> byFilter = new TreeMap<>();
            query(
                    "SELECT accepted, filter, count(*), coalesce(sum(bytes), 0) FROM " + s
                            + "records WHERE source_id = ? GROUP BY accepted, filter",
                    rs -> {
                        long count = rs.getLong(3);
                        totals[2] += rs.getLong(4);
                        if (rs.getBoolean(1)) totals[0] += count;
                        else {
                            totals[1] += count;
                            byFilter.put(rs.getString(2), count);
                        }
                        return null;
                    },
                    sourceId);
            return new SourceProgress(src, done, totals[0], totals[1], byFilter, totals[2], failures(sourceId));
        });
    }

    public CatalogStats stats() {
        long sources = query("SELECT count(*) FROM " + s + "sources", rs -> rs.getLong(1))
                .get(0);
        long tasksTotal = query("SELECT coalesce(sum(tasks_total), 0) FROM " + s + "sources", rs -> rs.getLong(1))
                .get(0);
        long tasksDone = query("SELECT count(*) FROM " + s + "task_runs", rs -> rs.getLong(1))
                .get(0);
        Map<String, Long> byLanguage = new TreeMap<>();
        Map<String, Long> byFilter = new TreeMap<>();
        long[] totals = new long[3];
        query(
                "SELECT accepted, CASE WHEN accepted THEN coalesce(language, '?') ELSE filter END, count(*), coalesce(sum(bytes), 0) FROM "
                        + s + "records GROUP BY 1, 2",
                rs -> {
                    long count = rs.getLong(3);
                    totals[2] += rs.getLong(4);
                    if (rs.getBoolean(1)) {
                        totals[0] += count;
                        byLanguage.put(rs.getString(2), count);
                    } else {
                        totals[1] += count;
                        byFilter.put(rs.getString(2), count);
                    }
                    return null;
                });
        Object[] range = query(
                        "SELECT min(doc_date), max(doc_date), count(*) FILTER (WHERE doc_date IS NULL) FROM " + s
                                + "records WHERE accepted",
                        rs -> new Object[] {
                            rs.getObject(1, LocalDate.class), rs.getObject(2, LocalDate.class), rs.getLong(3)
                        })
                .get(0);
        return new CatalogStats(
                sources,
                tasksDone,
                tasksTotal,
                totals[0],
                totals[1],
                totals[2],
                byLanguage,
                byFilter,
                (LocalDate) range[0],
                (LocalDate) range[1],
                (Long) range[2]);
    }

    // ---- JDBC plumbing ---------------------------------------------------------------------------------------

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> T tx(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new CatalogException(e);
        }
    }

    /** A database failure: the caller's task is not done and will be delivered again. */
    public static final class CatalogException extends RuntimeException {
        public CatalogException(SQLException e) {
            super("catalog: " + e.getMessage(), e);
        }
    }
}
