package dev.scratchlm.trainer;

import java.util.List;
import java.util.Map;

/**
 * What a reward or DPO job learns from, fixed at submission: the rankings of these campaigns and sources up to
 * {@code rankingOffsets} (the topic's end when the job was accepted), so a restarted job reads the same rankings.
 *
 * @param campaigns      null: every campaign
 * @param sources        of human, rule, ai
 * @param beta           DPO's beta
 * @param sftWeight      DPO: weight of the chosen answers' per-token NLL added to the loss
 * @param heldOut        fraction of tasks held out
 * @param reference      DPO: the frozen reference checkpoint (the parent unless named)
 * @param rankingOffsets partition -> end offset of the rankings topic
 * @param counts         rankings, tasks and pairs found at submission
 */
public record PreferencePlan(
        List<String> campaigns,
        List<String> sources,
        float beta,
        float sftWeight,
        double heldOut,
        String reference,
        Map<Integer, Long> rankingOffsets,
        Map<String, Object> counts) {}
