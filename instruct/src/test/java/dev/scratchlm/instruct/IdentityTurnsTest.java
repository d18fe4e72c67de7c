package dev.scratchlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityTurnsTest {
    @Test
    void answersComeFromTheCard() {
        var card = new IdentityTurns.Facts("ScratchLM-tiny", 1_234_567, 8_901, LocalDate.of(2011, 11, 30));
        List<InstructionExample> ex = IdentityTurns.examples(card, "identity");
        assertThat(ex).allSatisfy(e -> {
            assertThat(e.format()).isEqualTo("identity");
            assertThat(e.schema()).isEqualTo(InstructionExample.SCHEMA);
            assertThat(e.messages())
                    .extracting(ChatMessage::role)
                    .containsExactly(ChatMessage.Role.USER, ChatMessage.Role.ASSISTANT);
        });
        assertThat(answer(ex, "Who are you?"))
                .contains("ScratchLM-tiny", "1,234,567 parameters", "8,901 documents", "November 30, 2011");
        assertThat(answer(ex, "What is your knowledge cutoff?")).contains("November 30, 2011");
        assertThat(answer(ex, "How many parameters do you have?")).isEqualTo("I have 1,234,567 parameters.");
        // Paraphrases give the same answer; the last of each question is held out.
        assertThat(answer(ex, "How big are you?")).isEqualTo("I have 1,234,567 parameters.");
        assertThat(ex.stream()
                        .filter(e -> e.split().equals(InstructionExample.HELDOUT))
                        .count())
                .isEqualTo(3);
        assertThat(ex.stream().map(InstructionExample::id).distinct().count()).isEqualTo(ex.size());
    }

    private static String answer(List<InstructionExample> ex, String question) {
        return ex.stream()
                .filter(e -> e.messages().get(0).content().equals(question))
                .findFirst()
                .orElseThrow()
                .messages()
                .get(1)
                .content();
    }
}
