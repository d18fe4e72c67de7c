package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.gpt.PackedExamples;
import dev.scratchlm.gpt.Trainer;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import dev.scratchlm.trainer.JobRepository.JobRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The sft side of a training job: its data (snapshot on the volume, rendered and packed), the held-out loss, and
 * the E2E generation metrics (greedy answers to the held-out MRs in the MR prompt form, corpus BLEU-4 against every
 * reference of the MR, slot error rate). {@link PretrainRun} drives the loop, checkpoints and reports.
 */
final class SftRun {
    private static final Logger LOG = Logger.getLogger(SftRun.class);
    private static final int SAMPLES = 3;

    private final JobRow job;
    private final JobPlan plan;
    private final SftData data;
    private final CheckpointManifest parent;
    private final ChatTemplate template;
    private final int identityTurns;
    private Double bleu, slotError;

    private SftRun(JobRow job, SftData data, CheckpointManifest parent, ChatTemplate template, int identityTurns) {
        this.job = job;
        this.plan = job.plan();
        this.data = data;
        this.parent = parent;
        this.template = template;
        this.identityTurns = identityTurns;
    }

    /** The job's data: read back from its snapshot, or selected from the store now (first start) and saved. */
    static SftRun open(JobRunner runner, JobRow job) throws IOException {
        JobPlan plan = job.plan();
        if (runner.sft == null)
            throw new IllegalStateException("this runner has no instruction store: it cannot run sft jobs");
        String def = runner.sft
                .definition()
                .apply(plan.tokenizerId())
                .orElseThrow(() -> new IllegalStateException(
                        "tokenizer " + plan.tokenizerId() + " has no definition on this trainer"));
        ChatTemplate template = new ChatTemplate(ScratchFormat.fromText(def));
        CheckpointRow parentRow = runner.checkpoints
                .find(plan.parent())
                .orElseThrow(() ->
                        new IllegalStateException("parent checkpoint " + plan.parent() + " is no longer registered"));
        CheckpointManifest parent = Json.read(parentRow.manifest(), CheckpointManifest.class);
        Path file = runner.sftDataFile(job.id());
        SftData.Snapshot snapshot;
        if (Files.exists(file)) {
            snapshot = Json.read(Files.readAllBytes(file), SftData.Snapshot.class);
        } else {
            var identity = plan.sft().identity()
                    ? SftData.identityTurns(parent)
                    : List.<dev.scratchlm.contracts.InstructionExample>of();
            snapshot = SftData.select(runner.sft.instructions(), plan.sft().datasets(), identity);
            AtomicFiles.write(file, out -> out.write(Json.bytes(snapshot)));
        }
        SftData data = new SftData(
                snapshot, template, plan.model().blockSize(), plan.sft().evalMrs(), plan.seed());
        // Identity turns trained on: those of the train split that fit the context.
        int identity = data.counts.getOrDefault(SftData.IDENTITY_SET, Map.of()).getOrDefault("train", 0);
        LOG.infof(
                "job %s: %d training examples (%d identity turns) in %d rows of %d (%.0f%% filled), %d held out, %d held-out MRs",
                job.id(),
                data.trainExamples,
                identity,
                data.train.rowsPerEpoch(),
                plan.model().blockSize(),
                100 * data.train.fill(),
                data.heldoutExamples,
                data.eval.size());
        return new SftRun(job, data, parent, template, identity);
    }

    PackedExamples train() {
        return data.train;
    }

    long position() {
        return data.train.position();
    }

    void seek(long position) {
        data.train.seek(position);
    }

    long tokensServed() {
        return data.train.tokensServed();
    }

    /** Example tokens in {@code steps} steps, from the packing's fill (padding does not count). */
    long tokensSeen(long steps) {
        return Math.round(steps * plan.tokensPerStep() * data.train.fill());
    }

    long trainTokens() {
        return Math.round((double) data.train.rowsPerEpoch() * plan.model().blockSize() * data.train.fill());
    }

    long heldoutTokens() {
        return data.heldout == null
                ? 0
                : Math.round((double) data.heldout.rowsPerEpoch() * plan.model().blockSize() * data.heldout.fill());
    }

    Map<String, Map<String, Integer>> counts() {
        return data.counts;
    }

    /** Mean loss per answer token over every held-out example, or null without a heldout split. */
    Float heldoutLoss(Trainer trainer) {
        if (data.heldout == null) return null;
        data.heldout.seek(0);
        int batches = (data.heldout.rowsPerEpoch() + plan.batchSize() - 1) / plan.batchSize();
        return trainer.evaluate(data.heldout, batches);
    }

    /**
     * Greedy answers to the held-out MRs and their BLEU-4 and slot error; with the held-out loss, the data counts and
     * a few samples, what the job shows and the checkpoint carries.
     */
    Map<String, Object> evaluate(Trainer trainer, int step, Float heldoutLoss) {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("step", step);
        if (heldoutLoss != null) ev.put("heldoutLoss", heldoutLoss);
        if (data.eval.size() > 0) {
            long t0 = System.nanoTime();
            E2eEvaluation.Result res = E2eEvaluation.run(trainer.model(), template, data.eval, null);
            List<String> outputs = res.outputs();
            bleu = res.bleu();
            slotError = res.slotError();
            ev.put("bleu", bleu);
            ev.put("slotError", slotError);
            ev.put("evalMrs", data.eval.size());
            ev.put("generationSeconds", (System.nanoTime() - t0) / 1e9);
            List<Map<String, Object>> samples = new ArrayList<>();
            for (int i = 0; i < Math.min(SAMPLES, outputs.size()); i++) {
                samples.add(Map.of(
                        "mr",
                        data.eval.mrs().get(i),
                        "output",
                        outputs.get(i),
                        "reference",
                        data.eval.refs().get(i).get(0)));
            }
            ev.put("samples", samples);
        }
        ev.put("trainExamples", data.trainExamples);
        ev.put("heldoutExamples", data.heldoutExamples);
        ev.put("identityTurns", identityTurns);
        ev.put("rowsPerEpoch", data.train.rowsPerEpoch());
        ev.put("packingFill", data.train.fill());
        ev.put("epoch", data.train.epoch());
        ev.put("instructionSets", data.counts);
        return ev;
    }

    void putMetrics(Map<String, Double> metrics) {
        if (bleu != null) metrics.put("bleu", bleu);
        if (slotError != null) metrics.put("slotError", slotError);
        metrics.put("trainExamples", (double) data.trainExamples);
        metrics.put("identityTurns", (double) identityTurns);
    }

    void restoreMetrics(Map<String, Double> metrics) {
        bleu = metrics.get("bleu");
        slotError = metrics.get("slotError");
    }

    /**
     * What the sft checkpoint was trained on: the parent's pre-training lineage (documents, tokens, knowledge cutoff:
     * still what the model knows) and the stages it went through, this one with its instruction sets.
     */
    Map<String, Object> lineage() {
        Map<String, Object> l = new LinkedHashMap<>();
        Map<String, Object> pl = parent.lineage() == null ? Map.of() : parent.lineage();
        for (String k : List.of("knowledgeCutoff", "documents", "tokens", "trainDocuments", "trainTokens")) {
            if (pl.containsKey(k)) l.put(k, pl.get(k));
        }
        l.put("jobId", job.id());
        l.put("tokenizerId", plan.tokenizerId());
        List<Object> stages = new ArrayList<>();
        if (pl.get("stages") instanceof List<?> earlier) stages.addAll(earlier);
        else {
            Map<String, Object> pre = new LinkedHashMap<>();
            pre.put("stage", parent.stage());
            pre.put("checkpointId", parent.checkpointId());
            for (String k : List.of("documents", "tokens", "knowledgeCutoff"))
                if (pl.containsKey(k)) pre.put(k, pl.get(k));
            stages.add(pre);
        }
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("stage", plan.stage());
        me.put("jobId", job.id());
        me.put("parent", plan.parent());
        me.put("instructionSets", data.counts);
        me.put("identityTurns", identityTurns);
        stages.add(me);
        l.put("stages", stages);
        l.put("instructionSets", data.counts);
        l.put("trainExamples", data.trainExamples);
        l.put("heldoutExamples", data.heldoutExamples);
        l.put("identityTurns", identityTurns);
        return l;
    }
}
