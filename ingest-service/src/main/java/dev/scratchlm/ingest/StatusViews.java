package dev.scratchlm.ingest;

import dev.scratchlm.ingest.catalog.CatalogStats;
import dev.scratchlm.ingest.catalog.SourceProgress;
import dev.scratchlm.ingest.pipeline.StepCounts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the status endpoints, built as ordered maps so the output reads top-down. */
final class StatusViews {
    private StatusViews() {}

    static Map<String, Object> source(SourceProgress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.source().id());
        m.put("type", p.source().type());
        m.put("location", p.source().location());
        m.put("state", p.state());
        Map<String, Object> tasks =
                pair("done", p.tasksDone(), "total", p.source().tasksTotal());
        tasks.put("failed", p.failed().size());
        m.put("tasks", tasks);
        if (!p.failed().isEmpty()) {
            m.put(
                    "failures",
                    p.failed().stream()
                            .limit(20)
                            .map(f -> {
                                Map<String, Object> one = new LinkedHashMap<>();
                                one.put("task", f.taskId());
                                one.put("attempts", f.attempts());
                                one.put("reason", f.reason());
                                one.put("failedAt", f.failedAt().toString());
                                return one;
                            })
                            .toList());
        }
        m.put("records", p.accepted() + p.rejected());
        m.put("accepted", p.accepted());
        Map<String, Object> rejected = new LinkedHashMap<>();
        rejected.put("total", p.rejected());
        rejected.put("byReason", p.rejectedByFilter());
        m.put("rejected", rejected);
        m.put("megabytes", round(p.bytes() / 1e6));
        m.put(
                "cutoff",
                p.source().cutoff() == null ? "none" : p.source().cutoff().toString());
        m.put("undated", p.source().undated());
        m.put("languages", p.source().languages());
        if (p.source().license() != null) m.put("license", p.source().license());
        m.put("createdAt", p.source().createdAt().toString());
        return m;
    }

    static Map<String, Object> stats(
            CatalogStats s, String cutoff, String undated, List<String> languages, List<StepCounts> steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sources", s.sources());
        m.put("tasks", pair("done", s.tasksDone(), "total", s.tasksTotal()));
        Map<String, Object> docs = new LinkedHashMap<>();
        docs.put("records", s.accepted() + s.rejected());
        docs.put("accepted", s.accepted());
        docs.put("rejected", s.rejected());
        docs.put("megabytes", round(s.bytes() / 1e6));
        m.put("documents", docs);
        m.put("byLanguage", s.acceptedByLanguage());
        m.put("rejectedByReason", s.rejectedByFilter());
        Map<String, Object> dates = new LinkedHashMap<>();
        dates.put("from", s.firstDate() == null ? null : s.firstDate().toString());
        dates.put("to", s.lastDate() == null ? null : s.lastDate().toString());
        dates.put("undatedAccepted", s.undatedAccepted());
        m.put("dateRange", dates);
        m.put("cutoff", pair("date", cutoff, "undated", undated));
        m.put("languages", languages);
        m.put("steps", steps.stream().map(StatusViews::step).toList());
        return m;
    }

    static Map<String, Object> step(StepCounts st) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", st.name());
        m.put("description", st.description());
        m.put("documents", st.docs());
        m.put("rejected", st.rejected());
        m.put("megabytes", round(st.bytes() / 1e6));
        m.put("seconds", round(st.seconds()));
        m.put("documentsPerSecond", round(st.docsPerSecond()));
        m.put("megabytesPerSecond", round(st.mbPerSecond()));
        return m;
    }

    /** Two fields in this order (scripts read them with sed). */
    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
