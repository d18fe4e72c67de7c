package dev.scratchlm.ingest;

import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.catalog.CatalogRepository.Upload;
import dev.scratchlm.ingest.plan.BadSourceException;
import dev.scratchlm.ingest.plan.Planned;
import dev.scratchlm.ingest.plan.SourceOptions;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.plan.SourceRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The ingest API: sources in (server-side, uploaded, posted), progress and totals out. */
@Path("/api/ingest")
@Produces(MediaType.APPLICATION_JSON)
public class IngestResource {
    @Inject
    SourcePlanner planner;

    @Inject
    CatalogRepository catalog;

    @Inject
    IngestWorkers workers;

    @Inject
    IngestConfig config;

    /** A server-side source: {@code {type, location, cutoff?, languages?, undated?, license?, limit?}}. */
    @POST
    @Path("/sources")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(SourceRequest request) {
        return accepted(planner.submit(request));
    }

    /** Multipart upload of .txt .md .html .jsonl .warc .wet files (or their .gz); options as form fields. */
    @POST
    @Path("/files")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(
            @RestForm(FileUpload.ALL) List<FileUpload> files,
            @RestForm String cutoff,
            @RestForm String languages,
            @RestForm String undated,
            @RestForm String license)
            throws IOException {
        List<Upload> uploads = new ArrayList<>();
        for (FileUpload f : files == null ? List.<FileUpload>of() : files) {
            if (f.fileName() == null || f.fileName().isBlank()) continue; // a plain form field, not a file
            uploads.add(new Upload(baseName(f.fileName()), Files.readAllBytes(f.uploadedFile())));
        }
        return accepted(
                planner.submitUploads(uploads, new SourceOptions(cutoff, list(languages), undated, license, null)));
    }

    /** Documents in the body: a JSON array or JSON Lines of {text, url?, title?, date?, lang?}. */
    @POST
    @Path("/documents")
    @Consumes({MediaType.APPLICATION_JSON, "application/x-ndjson", "application/jsonl", "application/json-lines"})
    public Response documents(
            InputStream body,
            @QueryParam("cutoff") String cutoff,
            @QueryParam("languages") String languages,
            @QueryParam("undated") String undated,
            @QueryParam("license") String license)
            throws IOException {
        int max = config.maxDocumentBytes() * 64;
        byte[] bytes = body.readNBytes(max + 1);
        if (bytes.length > max)
            throw new BadSourceException(413, "body too large", "at most " + max + " bytes; upload a file instead");
        return accepted(
                planner.submitDocuments(bytes, new SourceOptions(cutoff, list(languages), undated, license, null)));
    }

    @GET
    @Path("/sources")
    public List<Map<String, Object>> sources() {
        return catalog.sources().stream()
                .map(s -> catalog.progress(s.id()).map(this::view).orElse(null))
                .filter(m -> m != null)
                .toList();
    }

    @GET
    @Path("/sources/{id}")
    public Response source(@PathParam("id") String id) {
        return catalog.progress(id)
                .map(p -> Response.ok(view(p)).build())
                .orElseThrow(() -> new BadSourceException(404, "unknown source", id));
    }

    /**
     * Plans a source again now: one whose planning could not read its files (instead of waiting for the next try),
     * or one planned with no tasks. A source with tasks answers 409.
     */
    @POST
    @Path("/sources/{id}/plan")
    public Response plan(@PathParam("id") String id) {
        return accepted(planner.planAgain(id));
    }

    private Map<String, Object> view(dev.scratchlm.ingest.catalog.SourceProgress p) {
        Map<String, Object> m = StatusViews.source(p);
        catalog.planningError(p.source().id()).ifPresent(e -> m.put("planningError", e));
        return m;
    }

    @GET
    @Path("/stats")
    public Map<String, Object> stats() {
        var d = planner.defaults();
        return StatusViews.stats(
                catalog.stats(),
                d.cutoff() == null ? "none" : d.cutoff().toString(),
                d.undated(),
                d.languages(),
                workers.allStages());
    }

    private Response accepted(Planned planned) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sourceId", planned.sourceId());
        body.put("created", planned.created());
        body.put("tasks", planned.tasks());
        body.put("records", planned.records());
        catalog.progress(planned.sourceId()).ifPresent(p -> body.put("status", view(p)));
        URI location = URI.create("/api/ingest/sources/" + planned.sourceId());
        return Response.status(planned.created() ? 202 : 200)
                .location(location)
                .entity(body)
                .build();
    }

    private static List<String> list(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) return null;
        return Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String baseName(String name) {
        String n = name.replace('\\', '/');
        return n.substring(n.lastIndexOf('/') + 1);
    }
}
