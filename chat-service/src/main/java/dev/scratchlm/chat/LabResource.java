package dev.scratchlm.chat;

import dev.scratchlm.service.ApiError;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /api/labs/{name}}: the results of the last run of a lab ({@code ./scratchlm lab NAME} writes
 * {@code NAME.json} into the labs directory); the lab pages under {@code /labs/} draw their tables and charts from it.
 */
@jakarta.ws.rs.Path("/api/labs")
@Produces(MediaType.APPLICATION_JSON)
public class LabResource {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    @ConfigProperty(name = "chat.labs-dir")
    String labsDir;

    @GET
    @jakarta.ws.rs.Path("{name}")
    public byte[] results(@PathParam("name") String name) {
        // The name becomes a file name: only a plain lowercase word may, never a path.
        if (!NAME.matcher(name).matches()) throw ApiError.badRequest("a lab name is lowercase letters, digits and '-'");
        try {
            return Files.readAllBytes(Path.of(labsDir).resolve(name + ".json"));
        } catch (NoSuchFileException e) {
            throw ApiError.notFound("lab '" + name + "' has not been run here yet: ./scratchlm lab " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
