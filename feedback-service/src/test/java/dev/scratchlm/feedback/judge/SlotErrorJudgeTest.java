package dev.scratchlm.feedback.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.instruct.E2e;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotErrorJudgeTest {
    private final SlotErrorJudge judge = new SlotErrorJudge();
    private static final String MR =
            "name[The Vaults], eatType[pub], priceRange[more than £30], customer rating[5 out of 5], near[Café Adriatic]";

    @Test
    void ranksByFewestSlotErrorsAndTiesEqualCounts() {
        List<String> candidates = List.of(
                "The Vaults is a pub.", // misses price, rating, near: 3 errors
                "The Vaults is a pub near Café Adriatic with a price range of more than £30 and a customer rating of 5 out of 5.", // 0
                "The Vaults is an expensive pub near Café Adriatic.", // misses the rating: 1
                "The Vaults is a pub near Café Adriatic with a 5 out of 5 rating.", // misses the price: 1
                "Hello there."); // misses everything, name included: 5
        List<List<Integer>> order = judge.rank(E2e.mrQuestion(MR), candidates).orElseThrow();
        assertThat(order).containsExactly(List.of(1), List.of(2, 3), List.of(0), List.of(4));
        // The seed form of the same MR, with the system prompt, is judged the same way.
        List<ChatMessage> seed = E2e.seedConversation(MR, "unused", true).subList(0, 2);
        assertThat(judge.rank(seed, candidates)).contains(order);
    }

    @Test
    void promptsThatAreNotTheRestaurantTaskAreNotItsToJudge() {
        assertThat(judge.rank(List.of(ChatMessage.user("What is the capital of France?")), List.of("Paris", "Lyon")))
                .isEmpty();
        assertThat(judge.rank(List.of(ChatMessage.user(E2e.MR_PREFIX + "not an mr [")), List.of("a", "b")))
                .isEmpty();
    }
}
