package dev.scratchlm.trainer;

import dev.scratchlm.contracts.Json;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import dev.scratchlm.trainer.JobRepository.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the API: jobs, checkpoints and metric points, built from repository rows. */
final class Views {
    private Views() {}

    static Map<String, Object> job(JobRow j, List<CheckpointRow> checkpoints) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", j.id());
        v.put("stage", j.stage());
        v.put("state", j.state());
        v.put("tokenizerId", j.tokenizerId());
        v.put("parent", j.parentCheckpointId());
        v.put("step", j.step());
        v.put("steps", j.steps());
        v.put("trainLoss", j.trainLoss());
        v.put("valLoss", j.valLoss());
        v.put("lr", j.lr());
        v.put("tokensPerSecond", j.tokensPerSecond());
        v.put("mfu", j.mfu());
        v.put("etaSeconds", j.etaSeconds());
        v.put("elapsedSeconds", j.wallSeconds());
        v.put("tokensSeen", j.tokensSeen());
        v.put("trainTokens", j.trainTokens());
        v.put("valTokens", j.valTokens());
        v.put("stopRequested", j.stopRequested());
        v.put("error", j.error());
        v.put("createdAt", j.createdAt());
        v.put("startedAt", j.startedAt());
        v.put("finishedAt", j.finishedAt());
        v.put("updatedAt", j.updatedAt());
        v.put("lastCheckpointId", j.lastCheckpointId());
        if (j.plan().cutoff() != null) {
            v.put("cutoff", j.plan().cutoff());
            v.put(
                    "cutoffNote",
                    "trains and validates only on documents dated on or before "
                            + j.plan().cutoff() + "; undated documents are excluded");
        }
        if (j.plan().sft() != null) {
            v.put("datasets", j.plan().sft().datasets());
            Map<?, ?> e = j.evaluation() == null ? null : Json.read(j.evaluation(), Map.class);
            if (e != null) {
                v.put("heldoutLoss", e.get("heldoutLoss"));
                v.put("bleu", e.get("bleu"));
                v.put("slotError", e.get("slotError"));
                v.put("evaluation", e);
            }
        }
        // Nested objects last, so a shell script's naive field lookup finds the job's own numbers first.
        v.put("model", PretrainRun.modelMap(j.plan().model()));
        v.put("plan", j.plan());
        if (checkpoints != null)
            v.put(
                    "checkpoints",
                    checkpoints.stream().map(c -> checkpoint(c, false)).toList());
        return v;
    }

    static Map<String, Object> checkpoint(CheckpointRow c, boolean withManifest) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("job", c.jobId());
        v.put("stage", c.stage());
        v.put("step", c.step());
        v.put("trainLoss", c.trainLoss());
        v.put("valLoss", c.valLoss());
        v.put("tokenizer", c.tokenizerId());
        v.put("parent", c.parentId());
        v.put("sha256", c.sha256());
        v.put("size", c.sizeBytes());
        v.put("chunks", c.chunkCount());
        v.put("published", c.publishedAt() != null);
        v.put("publishedAt", c.publishedAt());
        v.put("created", c.createdAt());
        if (withManifest) v.put("manifest", Json.read(c.manifest(), Map.class));
        return v;
    }

    static Map<String, Object> metric(Metric m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("step", m.step());
        v.put("trainLoss", m.trainLoss());
        if (m.valLoss() != null) v.put("valLoss", m.valLoss());
        v.put("lr", m.lr());
        v.put("tokensPerSecond", m.tokensPerSecond());
        v.put("elapsedSeconds", m.elapsedSeconds());
        return v;
    }
}
