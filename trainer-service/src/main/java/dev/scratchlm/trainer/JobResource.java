package dev.scratchlm.trainer;

import dev.scratchlm.service.ApiError;
import dev.scratchlm.trainer.JobRepository.JobRow;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Training jobs: submit, list, inspect, follow live (server-sent events) and stop. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class JobResource {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    TrainerService trainer;

    @Inject
    JobStreams streams;

    /** Validates everything first; a refused job leaves no trace. 202 with the job's id and its full plan. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(String body) {
        JobPlan plan = trainer.validator().validate(JobValidator.parse(body));
        String id = newId();
        trainer.jobs().insert(id, plan);
        trainer.runner().wake();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("state", JobRepository.QUEUED);
        out.put("plan", plan);
        return Response.accepted(out).location(URI.create("/api/jobs/" + id)).build();
    }

    @GET
    public List<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        return trainer.jobs().list(Math.max(1, Math.min(limit, 500))).stream()
                .map(j -> Views.job(j, null))
                .toList();
    }

    @GET
    @Path("{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        JobRow job = find(id);
        return Views.job(job, trainer.checkpoints().byJob(id));
    }

    /** Per-step history for the curves, thinned to at most maxPoints train points (eval points always kept). */
    @GET
    @Path("{id}/metrics")
    public Map<String, Object> metrics(
            @PathParam("id") String id, @QueryParam("maxPoints") @DefaultValue("2000") int maxPoints) {
        find(id);
        return Map.of(
                "jobId",
                id,
                "points",
                trainer.jobs().metrics(id, Math.max(10, Math.min(maxPoints, 100_000))).stream()
                        .map(Views::metric)
                        .toList());
    }

    @POST
    @Path("{id}/stop")
    @Consumes(MediaType.WILDCARD)
    public Response stop(@PathParam("id") String id) {
        JobRow job = find(id);
        if (job.finished()) throw ApiError.conflict("job " + id + " is already " + job.state());
        String state = trainer.jobs().requestStop(id).orElse(job.state());
        if (JobRepository.RUNNING.equals(state)) trainer.runner().requestStop(id);
        else trainer.events().publish(id, "end", Map.of("state", state, "step", job.step()));
        return Response.accepted(Map.of("id", id, "state", state, "stopping", JobRepository.RUNNING.equals(state)))
                .build();
    }

    /** Continues a stopped job from its last checkpoint (weights, optimizer state, RNG and data position). */
    @POST
    @Path("{id}/resume")
    @Consumes(MediaType.WILDCARD)
    public Response resume(@PathParam("id") String id) {
        JobRow job = find(id);
        if (!trainer.jobs().resume(id)) {
            throw ApiError.conflict("only a stopped job can be resumed; job " + id + " is " + job.state());
        }
        trainer.runner().clearStop(id);
        return Response.accepted(Map.of("id", id, "state", JobRepository.QUEUED, "fromStep", job.step()))
                .build();
    }

    /** Live events: status first, then step/eval/checkpoint/state events, and end (after which the stream closes). */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
        find(id);
        streams.open(
                id, sink, sse, () -> Views.job(find(id), trainer.checkpoints().byJob(id)));
    }

    private JobRow find(String id) {
        return trainer.jobs().find(id).orElseThrow(() -> ApiError.notFound("no job " + id));
    }

    private static String newId() {
        byte[] r = new byte[2];
        RANDOM.nextBytes(r);
        return "pt-" + LocalDateTime.now(ZoneOffset.UTC).format(ID_TIME) + "-"
                + HexFormat.of().formatHex(r);
    }
}
