package dev.scratchlm.chat;

import dev.scratchlm.bundle.ModelBundle;
import dev.scratchlm.bundle.ModelCard;
import dev.scratchlm.bundle.Provenance;
import dev.scratchlm.bundle.Tar;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.nio.file.Files;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /api/models/{id}/export}: a loaded checkpoint (or stage alias) as a tar of its {@link ModelBundle}
 * (MODEL_CARD.md, model-card.json, model.safetensors, config.json, tokenizer.json, the tiktoken rank file,
 * tokenizer_config.json) under a folder named after the checkpoint. The card's data sources are read from the topics
 * the data passed through, so an export takes as long as reading them.
 */
@Path("/api/models")
public class ModelExportResource {
    @Inject
    ModelRegistry models;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @GET
    @Path("{id}/export")
    public Response export(@PathParam("id") String id) throws IOException {
        LoadedModel m = models.resolve(id);
        java.nio.file.Path dir = Files.createTempDirectory("scratchlm-export");
        try {
            Provenance data = Provenance.scan(
                    bootstrap, m.manifest.tokenizerId(), Provenance.trainingShards(m.manifest, models::manifest));
            ModelBundle.write(
                    m.weights(),
                    m.id,
                    m.tokenizer,
                    ModelCard.of(m.manifest, models::manifest, m.config, m.tokenizer, m.tokenizerRecord, data),
                    dir);
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
        StreamingOutput body = out -> {
            try {
                Tar.write(dir, ModelBundle.files(true), m.id, out);
            } finally {
                delete(dir);
            }
        };
        return Response.ok(body, "application/x-tar")
                .header("Content-Disposition", "attachment; filename=\"" + m.id + ".tar\"")
                .build();
    }

    private static void delete(java.nio.file.Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (java.nio.file.Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }
}
