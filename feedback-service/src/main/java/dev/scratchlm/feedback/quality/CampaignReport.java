package dev.scratchlm.feedback.quality;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.feedback.campaign.CampaignStore;
import dev.scratchlm.feedback.campaign.CampaignStore.Task;
import dev.scratchlm.feedback.campaign.RankingStore.Flag;
import dev.scratchlm.feedback.quality.Agreement.Rated;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's progress and the quality of its labels: agreement among the people, each rater's (and judge's)
 * agreement with the people's consensus and with gold tasks, times and flags. A rater whose agreement with the gold
 * orderings is below {@value #GOLD_MIN} (over at least {@value #GOLD_MIN_PAIRS} candidate pairs) is flagged.
 */
@ApplicationScoped
public class CampaignReport {
    public static final double GOLD_MIN = 0.6;
    public static final int GOLD_MIN_PAIRS = 3;
    private static final TypeReference<List<Flag>> FLAGS = new TypeReference<>() {};

    @Inject
    AgroalDataSource db;

    @Inject
    CampaignStore campaigns;

    /** One stored ranking of the campaign. */
    public record Row(
            String id,
            String taskId,
            String rater,
            String source,
            List<List<Integer>> order,
            boolean unusable,
            List<Flag> flags,
            String comment,
            Double seconds,
            Instant createdAt) {}

    public List<Row> rankings(String campaignId) {
        List<Row> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT r.id, r.task_id, r.rater, r.source, r.order_groups, r.unusable, r.flags, "
                                + "r.comment, r.seconds, r.created_at FROM rankings r JOIN tasks t ON t.id = r.task_id WHERE t.campaign_id = ? "
                                + "ORDER BY t.seq, r.created_at, r.id")) {
            s.setString(1, campaignId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    double sec = r.getDouble(9);
                    out.add(new Row(
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            CampaignStore.read(r.getString(5), CampaignStore.GROUPS),
                            r.getBoolean(6),
                            CampaignStore.read(r.getString(7), FLAGS),
                            r.getString(8),
                            r.wasNull() ? null : sec,
                            r.getTimestamp(10).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public Map<String, Object> report(CampaignStore.Campaign campaign) {
        List<Task> tasks = campaigns.tasks(campaign.id());
        Map<String, Task> byId = new HashMap<>();
        for (Task t : tasks) byId.put(t.id(), t);
        List<Row> rows = rankings(campaign.id());
        List<Rated> human = rows.stream()
                .filter(r -> r.source().equals(Ranking.HUMAN) && !r.unusable())
                .map(r -> new Rated(r.taskId(), r.rater(), r.order()))
                .toList();

        Map<String, Integer> humanPerTask = new HashMap<>();
        for (Row r : rows) if (r.source().equals(Ranking.HUMAN)) humanPerTask.merge(r.taskId(), 1, Integer::sum);
        long ready = tasks.stream().filter(t -> t.status().equals("ready")).count();
        long complete = tasks.stream()
                .filter(t -> t.status().equals("ready") && humanPerTask.getOrDefault(t.id(), 0) >= campaign.overlap())
                .count();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("campaign", campaign);
        out.put("tasks", campaigns.statusCounts(campaign.id()));
        out.put(
                "progress",
                Map.of(
                        "ready",
                        ready,
                        "complete",
                        complete,
                        "overlap",
                        campaign.overlap(),
                        "humanRankings",
                        rows.stream()
                                .filter(r -> r.source().equals(Ranking.HUMAN))
                                .count(),
                        "judgeRankings",
                        rows.stream()
                                .filter(r -> !r.source().equals(Ranking.HUMAN))
                                .count()));
        Agreement.Score pairwise = Agreement.pairwise(human), alpha = Agreement.alpha(human);
        out.put(
                "agreement",
                map(
                        "raters",
                        "human",
                        "pairwise",
                        num(pairwise.value()),
                        "pairwiseComparisons",
                        pairwise.comparisons(),
                        "krippendorffAlpha",
                        num(alpha.value()),
                        "alphaDistance",
                        "interval, on mid-ranks (ties share the mean position)",
                        "alphaValues",
                        alpha.comparisons()));

        // Sources against each other (human, rule, ai): how far the judges agree with people and with one another.
        Map<String, List<Rated>> bySource = new TreeMap<>();
        for (Row r : rows)
            if (!r.unusable())
                bySource.computeIfAbsent(r.source(), x -> new ArrayList<>())
                        .add(new Rated(r.taskId(), r.rater(), r.order()));
        List<Map<String, Object>> between = new ArrayList<>();
        List<String> sources = new ArrayList<>(bySource.keySet());
        for (int i = 0; i < sources.size(); i++) {
            for (int j = i + 1; j < sources.size(); j++) {
                Agreement.Score s = Agreement.between(bySource.get(sources.get(i)), bySource.get(sources.get(j)));
                between.add(map(
                        "sources",
                        sources.get(i) + " vs " + sources.get(j),
                        "pairwise",
                        num(s.value()),
                        "pairwiseComparisons",
                        s.comparisons()));
            }
        }
        out.put("sourceAgreement", between);

        Map<String, List<Row>> byRater = new TreeMap<>();
        for (Row r : rows)
            byRater.computeIfAbsent(r.rater(), x -> new ArrayList<>()).add(r);
        List<Map<String, Object>> raters = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : byRater.entrySet())
            raters.add(raterStats(e.getKey(), e.getValue(), human, byId));
        out.put("raters", raters);

        List<Map<String, Object>> flagged = new ArrayList<>();
        for (Row r : rows) {
            for (Flag f : r.flags()) {
                Task t = byId.get(r.taskId());
                flagged.add(Map.of(
                        "taskId",
                        r.taskId(),
                        "candidate",
                        f.candidate(),
                        "reason",
                        f.reason(),
                        "rater",
                        r.rater(),
                        "text",
                        t.candidates().get(f.candidate())));
            }
        }
        out.put("flagged", flagged);
        return out;
    }

    private static Map<String, Object> raterStats(
            String rater, List<Row> own, List<Rated> human, Map<String, Task> tasks) {
        long agreed = 0, compared = 0, goldAgreed = 0, goldCompared = 0;
        List<Double> seconds = new ArrayList<>();
        int flags = 0;
        for (Row r : own) {
            flags += r.flags().size();
            if (r.seconds() != null) seconds.add(r.seconds());
            if (r.unusable()) continue;
            Map<Integer, Double> mine = Agreement.ranks(r.order());
            // The consensus is the mean rank the other people gave each candidate.
            Map<Integer, double[]> sum = new HashMap<>();
            for (Rated h : human) {
                if (!h.task().equals(r.taskId()) || h.rater().equals(rater)) continue;
                Agreement.ranks(h.order()).forEach((cand, rank) -> {
                    double[] s = sum.computeIfAbsent(cand, x -> new double[2]);
                    s[0] += rank;
                    s[1]++;
                });
            }
            if (!sum.isEmpty()) {
                Map<Integer, Double> consensus = new HashMap<>();
                sum.forEach((cand, s) -> consensus.put(cand, s[0] / s[1]));
                long[] ab = Agreement.compare(mine, consensus);
                agreed += ab[0];
                compared += ab[1];
            }
            Task t = tasks.get(r.taskId());
            if (t != null && t.goldOrder() != null) {
                long[] ab = Agreement.compare(mine, Agreement.ranks(t.goldOrder()));
                goldAgreed += ab[0];
                goldCompared += ab[1];
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rater", rater);
        m.put("source", own.get(0).source());
        m.put("tasksDone", own.size());
        m.put("unusable", own.stream().filter(Row::unusable).count());
        m.put("medianSeconds", num(median(seconds)));
        m.put("consensusAgreement", num(compared == 0 ? Double.NaN : (double) agreed / compared));
        m.put("consensusComparisons", compared);
        m.put("goldAgreement", num(goldCompared == 0 ? Double.NaN : (double) goldAgreed / goldCompared));
        m.put("goldComparisons", goldCompared);
        m.put("goldFlagged", goldCompared >= GOLD_MIN_PAIRS && (double) goldAgreed / goldCompared < GOLD_MIN);
        m.put("flagsRaised", flags);
        return m;
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** An ordered map that takes nulls (Map.of does not). */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** JSON has no NaN: nothing to compare is null. */
    private static Object num(double x) {
        return Double.isNaN(x) ? null : Math.round(x * 10000) / 10000.0;
    }
}
