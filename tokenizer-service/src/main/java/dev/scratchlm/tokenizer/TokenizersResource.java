package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.HuggingFaceFormat;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.TiktokenFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.service.ApiError;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tokenizer registry: train, list, inspect, activate, export. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class TokenizersResource {
    static final List<String> EXPORT_FORMATS = List.of("scratchlm", "tiktoken", "huggingface");

    @Inject
    TrainingService training;

    @Inject
    TokenizerRepository registry;

    @Inject
    ReferenceTokenizers references;

    @Inject
    TokenizerCatalog catalog;

    @Inject
    TokenizerViews views;

    @Inject
    ShardWorkers workers;

    @Inject
    SampleRepository samples;

    /** Trains a tokenizer from the documents seen so far (synchronous: see {@link TrainingService}). */
    @POST
    @Path("/tokenizers")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response train(TrainRequest request) {
        TrainingService.Outcome outcome = training.train(request);
        Map<String, Object> body = views.detail(outcome.tokenizer());
        body.put("created", outcome.created());
        body.put("autoActivated", outcome.activated());
        URI location = URI.create("/api/tokenizers/" + outcome.tokenizer().id());
        return (outcome.created() ? Response.created(location) : Response.ok().location(location))
                .entity(body)
                .build();
    }

    @GET
    @Path("/tokenizers")
    public Map<String, Object> list() {
        List<Map<String, Object>> trained = new ArrayList<>();
        String active = null;
        for (StoredTokenizer t : registry.list()) {
            trained.add(views.summary(t));
            if (t.active()) active = t.id();
        }
        List<Map<String, Object>> reference = new ArrayList<>();
        for (ReferenceTokenizers.Reference r : references.list()) {
            reference.add(views.summary(r, references.get(r.id()).orElse(null)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", active);
        body.put("tokenizers", trained);
        body.put("reference", reference);
        return body;
    }

    @GET
    @Path("/tokenizers/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        var stored = registry.find(id);
        if (stored.isPresent()) return views.detail(stored.get());
        var ref = references.describe(id).orElseThrow(() -> TokenizerCatalog.unknown(id));
        return views.detail(ref, references.get(id).orElseThrow());
    }

    /** Makes it the one that encodes documents into shards; a newly active tokenizer re-encodes every past document. */
    @POST
    @Path("/tokenizers/{id}/activate")
    public Map<String, Object> activate(@PathParam("id") String id) {
        if (references.describe(id).isPresent()) {
            throw ApiError.conflict("reference tokenizer " + id
                    + " is for comparison only and cannot encode shards; activate a trained one");
        }
        if (!registry.activate(id)) throw TokenizerCatalog.unknown(id);
        workers.nudge();
        return views.detail(registry.find(id).orElseThrow());
    }

    @GET
    @Path("/tokenizers/{id}/export")
    @Produces({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public Response export(@PathParam("id") String id, @QueryParam("format") String format) {
        if (format == null || !EXPORT_FORMATS.contains(format)) {
            throw ApiError.badRequest("format must be one of " + EXPORT_FORMATS
                            + (format == null ? "" : ", got '" + format + "'"))
                    .with("allowed", EXPORT_FORMATS);
        }
        Tokenizer t = catalog.get(id);
        String body;
        String type = MediaType.TEXT_PLAIN + ";charset=utf-8";
        String file;
        try {
            switch (format) {
                case "scratchlm" -> {
                    body = ScratchFormat.toText(t);
                    file = id + ".scratchlm";
                }
                case "tiktoken" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    TiktokenFormat.write(t, out);
                    body = out.toString(StandardCharsets.US_ASCII);
                    file = id + ".tiktoken";
                }
                default -> {
                    body = HuggingFaceFormat.toJson(t);
                    type = MediaType.APPLICATION_JSON + ";charset=utf-8";
                    file = id + "-tokenizer.json";
                }
            }
        } catch (IllegalStateException e) {
            throw ApiError.unprocessable(
                    "tokenizer " + id + " cannot be exported as " + format + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.ok(body, type)
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .build();
    }

    /** What the tokenizers are trained from: documents seen, text kept, per language and split. */
    @GET
    @Path("/corpus")
    public SampleRepository.Corpus corpus() {
        return samples.corpus();
    }
}
