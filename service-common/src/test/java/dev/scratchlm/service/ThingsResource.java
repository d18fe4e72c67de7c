package dev.scratchlm.service;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The endpoints of the test application: JSON, a multipart upload, a bodiless action, and failures. */
@Path("/api/things")
@Produces(MediaType.APPLICATION_JSON)
public class ThingsResource {
    public record Thing(String name, int size) {}

    @GET
    public List<String> list() {
        return List.of("a", "b");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> create(Thing thing) {
        if (thing.name() == null) throw ApiError.invalid("name", "name is required");
        if (thing.name().equals("taken"))
            throw ApiError.conflict("a thing named taken exists").with("hint", "pick another");
        if (thing.name().equals("bug")) {
            throw new IllegalStateException(
                    "ERROR: relation \"secret_table\" does not exist at /home/someone/data/x.sql");
        }
        return Map.of("created", thing.name());
    }

    @POST
    @Path("/upload")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Map<String, Object> upload(@RestForm("file") List<FileUpload> files) {
        return Map.of("files", files.size());
    }

    @POST
    @Path("/{id}/activate")
    public Map<String, Object> activate(@PathParam("id") String id) {
        return Map.of("activated", id);
    }

    /** Open (scratchlm.http.open-paths): changes nothing, so no token needed. */
    @POST
    @Path("/count")
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> count(String body) {
        return Map.of("bytes", body.length());
    }
}
