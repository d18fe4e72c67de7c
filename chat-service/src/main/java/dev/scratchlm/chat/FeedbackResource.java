package dev.scratchlm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.ChatFeedback;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/feedback} {@code {"answerId", "thumbsUp": true|false, "comment"?}}: a thumbs up or down on an
 * answer that was stored when served. The prompt and answer come from the store, not from the client, so feedback
 * always describes what the model really said. The 200 comes after the broker acknowledged the record; with the
 * broker away, a 503 within seconds. The record's key is the answer id, so a changed rating replaces the old one.
 */
@Path("/api/feedback")
public class FeedbackResource {
    static final int MAX_COMMENT = 2000;

    @Inject
    AnswerStore answers;

    @Inject
    FeedbackProducer producer;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> record(byte[] body) {
        JsonNode json = RequestParser.parseBody(body);
        JsonNode id = json.get("answerId");
        if (id == null || !id.isTextual() || id.asText().isBlank())
            throw OpenAiError.invalid("answerId", "'answerId' (the answer's id) is required.");
        JsonNode thumbs = json.get("thumbsUp");
        if (thumbs == null || !thumbs.isBoolean())
            throw OpenAiError.invalid("thumbsUp", "'thumbsUp' must be true or false.");
        JsonNode c = json.get("comment");
        String comment = null;
        if (c != null && !c.isNull()) {
            if (!c.isTextual()) throw OpenAiError.invalid("comment", "'comment' must be a string.");
            comment = c.asText();
            if (comment.length() > MAX_COMMENT)
                throw OpenAiError.invalid("comment", "'comment' is longer than " + MAX_COMMENT + " characters.");
        }
        AnswerStore.StoredAnswer a = answers.find(id.asText())
                .orElseThrow(() -> OpenAiError.notFound(
                        "answerId",
                        "No stored answer '" + id.asText()
                                + "': only answers requested with \"store\": true can be rated."));
        AnswerStore.SentFeedback sent = new AnswerStore.SentFeedback(thumbs.asBoolean(), comment);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("answerId", a.id());
        out.put("thumbsUp", thumbs.asBoolean());
        out.put("recorded", true);
        // The same feedback again (a double click, a client's retry) is one record: acknowledged, not sent twice.
        if (answers.sentFeedback(a.id()).filter(sent::equals).isPresent()) {
            out.put("duplicate", true);
            return out;
        }
        ChatFeedback feedback = new ChatFeedback(
                ChatFeedback.SCHEMA,
                a.id(),
                a.model(),
                a.prompt(),
                a.answer(),
                thumbs.asBoolean(),
                comment,
                Instant.now());
        producer.publish(feedback);
        answers.feedbackSent(a.id(), sent);
        return out;
    }
}
