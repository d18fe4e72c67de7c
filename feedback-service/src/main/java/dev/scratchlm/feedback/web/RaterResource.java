package dev.scratchlm.feedback.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.feedback.FeedbackConfig;
import dev.scratchlm.feedback.campaign.CampaignStore;
import dev.scratchlm.feedback.campaign.RankingStore;
import dev.scratchlm.feedback.rater.Raters;
import dev.scratchlm.service.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The rater's side: sign in and out, the next task, submit, skip, undo. A session cookie (HttpOnly, SameSite=Strict)
 * identifies the rater; service-common's guard refuses state changes from other sites' pages and its content-type
 * rule keeps form posts out, so a page elsewhere can neither sign a rater in nor rank in their name.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class RaterResource {
    public static final String COOKIE = "scratchlm_rater";
    private static final Parser MARKDOWN = Parser.builder().build();
    /** Guidelines are Markdown written by an admin; raw HTML in them is shown as text, links are sanitized. */
    private static final HtmlRenderer HTML =
            HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    @Inject
    Raters raters;

    @Inject
    RankingStore rankings;

    @Inject
    CampaignStore campaigns;

    /** A campaign's guidelines never change once it is created: each is rendered once (the last few kept). */
    private final Map<String, String> guidelines = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 64;
        }
    });

    private String guidelinesHtml(String campaignId) {
        String html = guidelines.get(campaignId);
        if (html == null) {
            html = HTML.render(
                    MARKDOWN.parse(campaigns.campaign(campaignId).orElseThrow().guidelines()));
            guidelines.put(campaignId, html);
        }
        return html;
    }

    @Inject
    FeedbackConfig config;

    @POST
    @Path("session")
    public Response signIn(JsonNode body) {
        String name = AdminResource.text(body, "name"), password = AdminResource.text(body, "password");
        String token = raters.signIn(name, password).orElseThrow(() -> ApiError.unauthorized("wrong name or password"));
        String cookie = COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + config.sessionTtl().toSeconds() + (config.secureCookie() ? "; Secure" : "");
        return Response.ok(Map.of("rater", name)).header("Set-Cookie", cookie).build();
    }

    @GET
    @Path("session")
    public Map<String, Object> whoAmI(@CookieParam(COOKIE) String token) {
        return Map.of("rater", rater(token));
    }

    @DELETE
    @Path("session")
    public Response signOut(@CookieParam(COOKIE) String token) {
        raters.signOut(token);
        return Response.ok(Map.of("signedOut", true))
                .header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
                .build();
    }

    @GET
    @Path("rater/next")
    public Map<String, Object> next(@CookieParam(COOKIE) String token, @QueryParam("campaign") String campaign) {
        String rater = rater(token);
        Map<String, Object> out = new LinkedHashMap<>();
        rankings.next(rater, campaign)
                .ifPresentOrElse(
                        s -> {
                            List<Map<String, Object>> candidates = new ArrayList<>();
                            for (int c : s.shown())
                                candidates.add(Map.of(
                                        "index",
                                        c,
                                        "text",
                                        s.task().candidates().get(c)));
                            Map<String, Object> task = new LinkedHashMap<>();
                            task.put("id", s.task().id());
                            task.put("campaignId", s.task().campaignId());
                            task.put("prompt", s.task().prompt());
                            task.put("candidates", candidates);
                            task.put("guidelinesHtml", guidelinesHtml(s.task().campaignId()));
                            out.put("task", task);
                            // "remaining" is exact up to the cap; past it the page says "100+" (counting all of
                            // a large queue on every request would cost more than the request itself).
                            boolean more = s.remaining() > RankingStore.REMAINING_CAP;
                            out.put(
                                    "progress",
                                    Map.of(
                                            "done",
                                            s.done(),
                                            "remaining",
                                            Math.min(s.remaining(), RankingStore.REMAINING_CAP),
                                            "remainingIsLowerBound",
                                            more));
                        },
                        () -> out.put("task", null));
        return out;
    }

    @POST
    @Path("rater/tasks/{id}/ranking")
    public Response rank(@CookieParam(COOKIE) String token, @PathParam("id") String taskId, JsonNode body) {
        String rater = rater(token);
        RankingStore.Submission sub;
        try {
            sub = Json.MAPPER.treeToValue(body, RankingStore.Submission.class);
        } catch (Exception e) {
            throw ApiError.badRequest(
                    "a ranking is {submissionId, order: [[best], ...], unusable, flags: [{candidate, reason}], comment}");
        }
        if (sub == null) throw ApiError.badRequest("send the ranking as a JSON object");
        RankingStore.Stored stored = rankings.submit(rater, taskId, sub);
        return Response.status(stored.duplicate() ? 200 : 201)
                .entity(Map.of(
                        "ranking",
                        stored.rankingId(),
                        "duplicate",
                        stored.duplicate(),
                        "undoUntil",
                        stored.undoUntil().toString()))
                .build();
    }

    @POST
    @Path("rater/tasks/{id}/skip")
    public Map<String, Object> skip(@CookieParam(COOKIE) String token, @PathParam("id") String taskId) {
        rankings.skip(rater(token), taskId);
        return Map.of("skipped", taskId);
    }

    @POST
    @Path("rater/rankings/{id}/undo")
    public Map<String, Object> undo(@CookieParam(COOKIE) String token, @PathParam("id") String rankingId) {
        return Map.of("undone", rankingId, "task", rankings.undo(rater(token), rankingId));
    }

    private String rater(String token) {
        return raters.rater(token)
                .orElseThrow(() -> ApiError.unauthorized("sign in first (no session, or it expired)"));
    }
}
