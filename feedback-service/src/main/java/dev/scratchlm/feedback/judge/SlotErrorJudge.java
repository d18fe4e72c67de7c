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
 * The {@code rule} rater of the restaurant task: a prompt whose last user turn asks about an MR, in either prompt form
 * ({@code Describe this restaurant: MR} or {@code Generate a sentence describing: NAME {json}}), gets its candidates ordered by slot errors against the MR (missed + wrong + added slots), fewest first; candidates
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
        String user = null;
        for (ChatMessage m : prompt) if (m.role() == ChatMessage.Role.USER) user = m.content();
        Optional<String> found = E2e.mrOfPrompt(user);
        if (found.isEmpty()) return Optional.empty();
        String mr = found.get();
        TreeMap<Integer, List<Integer>> byErrors = new TreeMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            byErrors.computeIfAbsent(SlotError.check(mr, candidates.get(i)).errors(), e -> new ArrayList<>())
                    .add(i);
        }
        return Optional.of(List.copyOf(byErrors.values()));
    }
}
