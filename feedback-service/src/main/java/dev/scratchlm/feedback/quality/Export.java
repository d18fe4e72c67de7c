package dev.scratchlm.feedback.quality;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.feedback.campaign.CampaignStore;
import dev.scratchlm.feedback.campaign.CampaignStore.Task;
import dev.scratchlm.feedback.quality.CampaignReport.Row;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign's labels as JSON Lines, one object a line:
 * <ul>
 *   <li>{@code pairs}: {@code {prompt, chosen, rejected}} in the conversational form preference trainers read
 *       (messages; chosen and rejected are the assistant turn), every ordered pair of one ranking (candidates in a
 *       better group against those in every worse group; tied candidates give no pair), a task's pairs together;</li>
 *   <li>{@code rankings}: the raw groups, as stored;</li>
 *   <li>{@code unpaired}: {@code {prompt, completion, label}} from the web chat's thumbs (all of them: they belong
 *       to no campaign).</li>
 * </ul>
 * Unusable rankings give no pairs.
 */
@ApplicationScoped
public class Export {
    public static final List<String> FORMATS = List.of("pairs", "rankings", "unpaired");

    @Inject
    CampaignStore campaigns;

    @Inject
    CampaignReport report;

    @Inject
    AgroalDataSource db;

    public byte[] jsonl(String campaignId, String format, String source) {
        StringBuilder out = new StringBuilder();
        if (format.equals("unpaired")) {
            for (Map<String, Object> line : unpaired())
                out.append(Json.string(line)).append('\n');
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
        Map<String, Task> tasks = new HashMap<>();
        for (Task t : campaigns.tasks(campaignId)) tasks.put(t.id(), t);
        for (Row r : report.rankings(campaignId)) {
            if (source != null && !source.equals(r.source())) continue;
            Task t = tasks.get(r.taskId());
            if (format.equals("rankings")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", r.id());
                m.put("task_id", r.taskId());
                m.put("prompt", t.prompt());
                m.put("candidates", t.candidates());
                m.put("order", r.order());
                m.put("unusable", r.unusable());
                m.put("rater", r.rater());
                m.put("source", r.source());
                m.put("flags", r.flags());
                if (r.comment() != null) m.put("comment", r.comment());
                out.append(Json.string(m)).append('\n');
                continue;
            }
            for (int better = 0; better < r.order().size(); better++) {
                for (int worse = better + 1; worse < r.order().size(); worse++) {
                    for (int a : r.order().get(better)) {
                        for (int b : r.order().get(worse)) {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("prompt", t.prompt());
                            m.put(
                                    "chosen",
                                    List.of(ChatMessage.assistant(t.candidates().get(a))));
                            m.put(
                                    "rejected",
                                    List.of(ChatMessage.assistant(t.candidates().get(b))));
                            m.put("task_id", r.taskId());
                            m.put("ranking_id", r.id());
                            m.put("source", r.source());
                            out.append(Json.string(m)).append('\n');
                        }
                    }
                }
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private List<Map<String, Object>> unpaired() {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT answer_id, model, prompt, answer, thumbs_up, comment FROM chat_feedback ORDER BY created_at, answer_id");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("prompt", CampaignStore.read(r.getString(3), CampaignStore.MESSAGES));
                m.put("completion", List.of(ChatMessage.assistant(r.getString(4))));
                m.put("label", r.getBoolean(5));
                m.put("answer_id", r.getString(1));
                m.put("model", r.getString(2));
                if (r.getString(6) != null) m.put("comment", r.getString(6));
                out.add(m);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
