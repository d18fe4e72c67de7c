package dev.scratchlm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatMessageJsonTest {
    @Test
    void rolesTravelAsTheOpenAiNames() {
        InstructionExample e = new InstructionExample(
                InstructionExample.SCHEMA,
                "x1",
                "e2e",
                "e2e",
                InstructionExample.TRAIN,
                "name[A]",
                List.of(ChatMessage.system("s"), ChatMessage.user("u"), ChatMessage.assistant("a")));
        String json = Json.string(e);
        assertThat(json)
                .contains("{\"role\":\"system\",\"content\":\"s\"}", "{\"role\":\"assistant\",\"content\":\"a\"}");
        assertThat(Json.read(json, InstructionExample.class)).isEqualTo(e);
    }

    @Test
    void anUnknownRoleIsRefusedWithItsName() {
        assertThatThrownBy(() -> Json.read("{\"role\":\"wizard\",\"content\":\"x\"}", ChatMessage.class))
                .hasMessageContaining("wizard");
    }
}
