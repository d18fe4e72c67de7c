package dev.scratchlm.feedback.judge;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.instruct.E2e;
import dev.scratchlm.instruct.SlotError;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code rule} rater of the restaurant task: a prompt whose last user turn is {@code Describe this restaurant: MR}
 * gets its candidates ordered by slot errors against the MR (missed + wrong + added slots), fewest first; candidates
 * with as many errors are tied. Other prompts are not its to judge.
 */
public final class SlotErrorJudge implements Judge {
    public static final String NAME = "rule:slot-error";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String source() {
        return Ranking.RULE;
    }

    @Override
    public Optional<List<List<Integer>>> rank(List<ChatMessage> prompt, List<String> candidates) {
        String mr = null;
        for (ChatMessage m : prompt) {
            if (m.role() == ChatMessage.Role.USER) mr = m.content().startsWith(E2e.MR_PREFIX) ? m.content().substring(E2e.MR_PREFIX.length()) : null;
        }
        if (mr == null) return Optional.empty();
        try {
            E2e.parse(mr);
        } catch (IllegalArgumentException notAnMr) {
            return Optional.empty();
        }
        TreeMap<Integer, List<Integer>> byErrors = new TreeMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            byErrors.computeIfAbsent(SlotError.check(mr, candidates.get(i)).errors(), e -> new ArrayList<>()).add(i);
        }
        return Optional.of(List.copyOf(byErrors.values()));
    }
}
