package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.trainer.CheckpointRepository.CheckpointRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The checks of a {@code reward} or {@code dpo} job before any work starts, and its plan. Defaults: every campaign;
 * sources human, rule and ai; heldOut 0.1 of the tasks; beta 0.1; sftWeight 0; reference = the parent; steps 100;
 * batchSize 8 rankings per step; lr 1e-5 (DPO) or 1e-4 (reward), constant after 10% warm-up; weightDecay 0;
 * evalEvery min(25, steps); checkpointEvery steps.
 */
final class PreferenceValidator {
    static final List<String> SOURCES = List.of(Ranking.HUMAN, Ranking.RULE, Ranking.AI);

    private final Function<String, Optional<CheckpointRow>> checkpoint;
    private final Function<String, Optional<String>> definition;
    private final RankingReader rankings;
    private final MemoryBudget memory;

    PreferenceValidator(
            Function<String, Optional<CheckpointRow>> checkpoint,
            Function<String, Optional<String>> definition,
            RankingReader rankings,
            MemoryBudget memory) {
        this.checkpoint = checkpoint;
        this.definition = definition;
        this.rankings = rankings;
        this.memory = memory;
    }

    JobPlan validate(JobRequest r) {
        boolean reward = JobValidator.REWARD.equals(r.stage());
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        JobRequest.Preference p =
                r.preference() == null ? new JobRequest.Preference(null, null, null, null, null, null) : r.preference();
        if (r.model() != null)
            problems.add("model comes from the parent checkpoint for stage " + r.stage() + ": leave it out");

        int steps = range(problems, "steps", r.steps(), 100, 1, JobValidator.MAX_STEPS);
        int batch = range(problems, "batchSize", r.batchSize(), 8, 1, JobValidator.MAX_BATCH);
        double lr = real(problems, "lr", r.lr(), reward ? 1e-4 : 1e-5, 0, 1, false);
        double minLr = real(problems, "minLr", r.minLr(), lr, 0, 1, true);
        if (minLr > lr) problems.add("minLr (" + minLr + ") must not exceed lr (" + lr + ")");
        int warmup = range(problems, "warmupSteps", r.warmupSteps(), steps / 10, 0, Math.max(0, steps));
        double wd = real(problems, "weightDecay", r.weightDecay(), 0.0, 0, 1, true);
        double beta1 = real(problems, "beta1", r.beta1(), 0.9, 0, 0.999999, true);
        double beta2 = real(problems, "beta2", r.beta2(), 0.99, 0, 0.999999, true);
        double clip = real(problems, "clip", r.clip(), 1.0, 0, 1000, true);
        int evalEvery = range(
                problems, "evalEvery", r.evalEvery(), Math.max(1, Math.min(25, steps)), 1, JobValidator.MAX_STEPS);
        int checkpointEvery =
                range(problems, "checkpointEvery", r.checkpointEvery(), Math.max(1, steps), 1, JobValidator.MAX_STEPS);
        long seed = r.seed() == null ? 1337L : r.seed();
        double beta = real(problems, "preference.beta", p.beta(), 0.1, 0, 100, false);
        double sftWeight = real(problems, "preference.sftWeight", p.sftWeight(), 0.0, 0, 100, true);
        double heldOut = real(problems, "preference.heldOut", p.heldOut(), 0.1, 0, 0.9, false);
        if (reward && (p.beta() != null || p.sftWeight() != null || p.reference() != null)) {
            problems.add("preference.beta, sftWeight and reference are DPO settings; a reward model has none");
        }
        List<String> sources = p.sources() == null ? SOURCES : p.sources();
        for (String s : sources)
            if (!SOURCES.contains(s)) problems.add("unknown ranking source '" + s + "': expected one of " + SOURCES);
        if (sources.isEmpty()) problems.add("preference.sources is empty: name at least one of " + SOURCES);
        if (p.campaigns() != null && p.campaigns().isEmpty())
            problems.add("preference.campaigns is empty: leave it out for every campaign");

        // The parent: a language model of this trainer, with a tokenizer the chat template can render with.
        GptConfig config = null;
        String tokenizerId = null;
        if (r.parent() == null) {
            problems.add("parent is required for stage " + r.stage() + ": the SFT checkpoint to start from");
        } else {
            CheckpointRow parent = languageModel(
                    problems,
                    "parent",
                    r.parent(),
                    reward
                            ? "a reward model cannot be the parent of another reward model: name the SFT checkpoint"
                            : "checkpoint '" + r.parent()
                                    + "' is a reward model: it cannot be a DPO policy (name an SFT checkpoint)");
            if (parent != null) {
                config = config(parent);
                tokenizerId = parent.tokenizerId();
                details.put("parentStage", parent.stage());
                if (r.tokenizerId() != null && !r.tokenizerId().equals(tokenizerId)) {
                    problems.add("parent checkpoint '" + r.parent() + "' was trained with tokenizer " + tokenizerId
                            + ", not " + r.tokenizerId());
                }
            }
        }
        String reference = reward ? null : p.reference() == null ? r.parent() : p.reference();
        if (!reward && reference != null && !reference.equals(r.parent())) {
            CheckpointRow ref = languageModel(
                    problems,
                    "reference",
                    reference,
                    "checkpoint '" + reference + "' is a reward model: the DPO reference must be a language model");
            if (ref != null && tokenizerId != null) {
                if (!ref.tokenizerId().equals(tokenizerId)) {
                    problems.add(
                            "reference checkpoint '" + reference + "' was trained with tokenizer " + ref.tokenizerId()
                                    + ", the parent with " + tokenizerId + ": both must share one tokenizer");
                }
                GptConfig rc = config(ref);
                if (config != null && rc != null && !rc.equals(config)) {
                    problems.add("reference checkpoint '" + reference + "' has model " + rc + ", the parent " + config);
                }
            }
        }
        ChatTemplate template = null;
        if (tokenizerId != null) {
            Optional<String> def = definition.apply(tokenizerId);
            if (def.isEmpty()) {
                problems.add("tokenizer '" + tokenizerId
                        + "' of the parent has not arrived here whole: the trainer cannot render rankings with it");
            } else {
                try {
                    template = new ChatTemplate(ScratchFormat.fromText(def.get()));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) throw JobValidator.problems(problems.get(0), problems, details);

        // The data: the rankings of the selection, as the topic holds them now (the job reads up to this snapshot).
        Map<Integer, Long> offsets = rankings.endOffsets();
        RankingReader.Result all = rankings.read(offsets);
        List<Ranking> selected = all.rankings().stream()
                .filter(k -> PreferenceData.selected(k, p.campaigns(), sources))
                .toList();
        String selection = "campaigns " + (p.campaigns() == null ? "(all)" : p.campaigns()) + " and sources " + sources;
        if (selected.isEmpty()) {
            throw JobValidator.problems(
                    "no rankings for " + selection + " on the rankings topic ("
                            + all.rankings().size() + " rankings in all)",
                    List.of("no rankings for " + selection),
                    details);
        }
        PreferenceData.Split split = PreferenceData.build(selected, template, config.blockSize(), reward, heldOut);
        details.putAll(split.counts());
        if (split.trainPairs() == 0) {
            throw JobValidator.problems(
                    "the rankings of " + selection + " give no training pairs (all tied, unranked, too long "
                            + "for the context of " + config.blockSize() + ", or all held out)",
                    List.of("no training pairs"),
                    details);
        }
        if (split.heldOutPairs() == 0) {
            throw JobValidator.problems(
                    "the rankings of " + selection + " give no held-out pairs: rank candidates of at least "
                            + "two tasks",
                    List.of("no held-out pairs"),
                    details);
        }
        GptConfig model = reward ? config.withRewardHead(true) : config;
        int maxBatch = PreferenceRun.maxBatch(batch, split.maxCandidates());
        String tooBig = memory.check(model, maxBatch * (reward ? 1 : 2)); // DPO: the reference model too, while caching
        if (tooBig != null) throw JobValidator.problems(tooBig, List.of(tooBig), details);
        PreferencePlan plan = new PreferencePlan(
                p.campaigns(), sources, (float) beta, (float) sftWeight, heldOut, reference, offsets, split.counts());
        return new JobPlan(
                r.stage(),
                tokenizerId,
                model,
                steps,
                batch,
                1,
                (float) lr,
                (float) minLr,
                warmup,
                (float) wd,
                (float) beta1,
                (float) beta2,
                (float) clip,
                evalEvery,
                1,
                checkpointEvery,
                seed,
                r.parent(),
                null,
                plan);
    }

    /** A registered, readable language-model checkpoint, or null with the problem recorded. */
    private CheckpointRow languageModel(List<String> problems, String what, String id, String ifReward) {
        Optional<CheckpointRow> row = checkpoint.apply(id);
        if (row.isEmpty()) {
            problems.add(what + " checkpoint '" + id + "' does not exist");
            return null;
        }
        if (!Files.isReadable(Path.of(row.get().path()))) {
            problems.add(
                    what + " checkpoint '" + id + "' is registered but its file is missing from this trainer's volume");
            return null;
        }
        GptConfig c = config(row.get());
        if (JobValidator.REWARD.equals(row.get().stage()) || (c != null && c.rewardHead())) {
            problems.add(ifReward);
            return null;
        }
        if (c == null) {
            problems.add(what + " checkpoint '" + id + "' has an unreadable manifest");
            return null;
        }
        return row.get();
    }

    static GptConfig config(CheckpointRow p) {
        try {
            Map<?, ?> manifest = Json.read(p.manifest(), Map.class);
            Map<?, ?> model = (Map<?, ?>) manifest.get("model");
            return new GptConfig(
                    ((Number) model.get("vocabSize")).intValue(),
                    ((Number) model.get("blockSize")).intValue(),
                    ((Number) model.get("nLayer")).intValue(),
                    ((Number) model.get("nHead")).intValue(),
                    ((Number) model.get("nEmbd")).intValue(),
                    ((Number) model.get("dropout")).floatValue(),
                    Boolean.TRUE.equals(model.get("rewardHead")));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int range(List<String> problems, String name, Integer value, int fallback, int min, int max) {
        if (value == null) return fallback;
        if (value < min || value > max) {
            problems.add(name + " must be in " + min + ".." + max + ", got " + value);
            return fallback;
        }
        return value;
    }

    private static double real(
            List<String> problems,
            String name,
            Double value,
            double fallback,
            double min,
            double max,
            boolean minInclusive) {
        if (value == null) return fallback;
        boolean low = minInclusive ? value < min : value <= min;
        if (value.isNaN() || low || value > max) {
            problems.add(name + " must be in " + (minInclusive ? "[" : "(") + min + ", " + max + "], got " + value);
            return fallback;
        }
        return value;
    }
}
