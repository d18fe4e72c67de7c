package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.gpt.PackedExamples;
import dev.scratchlm.instruct.IdentityTurns;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An sft job's data: the train split of its instruction sets plus the identity turns, rendered by the one chat
 * template (loss on the assistant tokens and their {@code <|end|>}) and packed into rows; the heldout split for the
 * held-out loss; and, for E2E, the held-out meaning representations with all their references for BLEU and slot
 * error. An example longer than the context is left out and counted (tooLong per dataset), never cut.
 */
final class SftData {
    static final String E2E = "e2e";
    /** The instruction set the identity turns are counted under. */
    static final String IDENTITY_SET = "identity";

    static final String MODEL_NAME = "ScratchLM";

    /** The examples a job trains and evaluates on, as fixed when it first starts. */
    record Snapshot(List<InstructionExample> train, List<InstructionExample> heldout) {}

    final PackedExamples train;
    final PackedExamples heldout; // null when the datasets have no heldout split
    /** Held-out E2E MRs in order, and per MR every heldout reference (the assistant texts of its group). */
    final E2eEvaluation.HeldOut eval;
    /** dataset → {train, heldout, tooLong} counts; the checkpoint's instruction sets. */
    final Map<String, Map<String, Integer>> counts = new TreeMap<>();

    final int trainExamples, heldoutExamples;

    SftData(Snapshot s, ChatTemplate template, int blockSize, int evalMrLimit, long seed) {
        int max = PackedExamples.maxTokens(blockSize), pad = template.stopToken();
        List<int[]> ids = new ArrayList<>(), hIds = new ArrayList<>();
        List<boolean[]> masks = new ArrayList<>(), hMasks = new ArrayList<>();
        render(s.train(), template, max, ids, masks, InstructionExample.TRAIN);
        render(s.heldout(), template, max, hIds, hMasks, InstructionExample.HELDOUT);
        if (ids.isEmpty())
            throw new IllegalStateException("no training example fits a context of " + blockSize + " tokens");
        trainExamples = ids.size();
        heldoutExamples = hIds.size();
        train = new PackedExamples(ids, masks, blockSize, pad, seed, true);
        heldout = hIds.isEmpty() ? null : new PackedExamples(hIds, hMasks, blockSize, pad, seed, false);

        eval = E2eEvaluation.heldout(s.heldout(), java.util.Set.of(), evalMrLimit);
    }

    private void render(
            List<InstructionExample> examples,
            ChatTemplate template,
            int max,
            List<int[]> ids,
            List<boolean[]> masks,
            String split) {
        for (InstructionExample e : examples) {
            Map<String, Integer> c = counts.computeIfAbsent(
                    e.dataset(), k -> new LinkedHashMap<>(Map.of("train", 0, "heldout", 0, "tooLong", 0)));
            ChatTemplate.Rendered r = template.render(e.messages());
            if (r.ids().length > max) {
                c.merge("tooLong", 1, Integer::sum);
                continue;
            }
            ids.add(r.ids());
            masks.add(r.lossMask());
            c.merge(split, 1, Integer::sum);
        }
    }

    static String lastAssistant(InstructionExample e) {
        for (int i = e.messages().size() - 1; i >= 0; i--) {
            ChatMessage m = e.messages().get(i);
            if (m.role() == ChatMessage.Role.ASSISTANT) return m.content();
        }
        return null;
    }

    /** Selects, renders and packs an sft job's data from the store as it is now. */
    static SftData prepare(
            InstructionRepository repo,
            ChatTemplate template,
            CheckpointManifest parent,
            List<String> datasets,
            boolean identity,
            int blockSize,
            int evalMrs,
            long seed) {
        List<InstructionExample> id = identity ? identityTurns(parent) : List.of();
        return new SftData(select(repo, datasets, id), template, blockSize, evalMrs, seed);
    }

    /** "Who are you?", "What is your knowledge cutoff?", ... answered from the parent checkpoint's model card. */
    static List<InstructionExample> identityTurns(CheckpointManifest parent) {
        return IdentityTurns.examples(modelCard(parent), IDENTITY_SET);
    }

    /** The parent's card: parameters from its model, documents and knowledge cutoff from its pre-training lineage. */
    static IdentityTurns.Facts modelCard(CheckpointManifest parent) {
        Map<String, Object> lineage = parent.lineage() == null ? Map.of() : parent.lineage();
        Object cutoff = lineage.get("knowledgeCutoff");
        if (cutoff == null) {
            throw new IllegalArgumentException(
                    "parent checkpoint " + parent.checkpointId() + " has no knowledge cutoff in its lineage:"
                            + " identity turns need one (set data.identity to false to train without them)");
        }
        LocalDate date = LocalDate.parse(
                cutoff.toString().substring(0, Math.min(10, cutoff.toString().length())));
        long parameters = parent.model().get("parameters") instanceof Number n ? n.longValue() : 0;
        long documents = lineage.get("documents") instanceof Number n ? n.longValue() : 0;
        return new IdentityTurns.Facts(MODEL_NAME, parameters, documents, date);
    }

    /** The train and heldout examples of the datasets, plus identity turns (split as they come). */
    static Snapshot select(InstructionRepository repo, List<String> datasets, List<InstructionExample> identity) {
        List<InstructionExample> train = new ArrayList<>(), heldout = new ArrayList<>();
        for (InstructionExample e : repo.examples(datasets)) {
            (InstructionExample.HELDOUT.equals(e.split()) ? heldout : train).add(e);
        }
        for (InstructionExample e : identity) (InstructionExample.HELDOUT.equals(e.split()) ? heldout : train).add(e);
        return new Snapshot(train, heldout);
    }
}
