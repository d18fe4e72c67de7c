package dev.scratchlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.instruct.InstructionImport.Reason;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InstructionImportTest {
    private static ChatTemplate template;
    private static final InstructionImport NO_LENGTH = new InstructionImport(null, 0);

    @BeforeAll
    static void tokenizer() throws Exception {
        List<String> texts =
                TestData.e2eDevset().stream().limit(400).map(E2e.Row::ref).toList();
        template = new ChatTemplate(BpeTrainer.train(texts, BpeTrainer.Config.of(400, NumberPolicy.SINGLE)));
    }

    @Test
    void openAiJsonLinesWithEveryRejectionReason() {
        String body = String.join(
                "\n",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello.\"}]}",
                "",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"system\", \"content\": \"late\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}",
                "{\"messages\": [{\"role\": \"assistant\", \"content\": \"I start\"}, {\"role\": \"user\", \"content\": \"ok\"}]}",
                "{\"messages\": [{\"role\": \"robot\", \"content\": \"Hi\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"  \"}, {\"role\": \"assistant\", \"content\": \"x\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": [\"parts\"]}]}",
                "{not json",
                "[1, 2]",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello.\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me everything.\"}, {\"role\": \"assistant\", \"content\": \""
                        + "word ".repeat(300) + "\"}]}");
        InstructionImport.Result r = new InstructionImport(template, 64).read("chat", "openai", body);
        assertThat(r.accepted()).hasSize(1);
        InstructionExample e = r.accepted().get(0);
        assertThat(e.messages())
                .containsExactly(
                        ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello."));
        assertThat(e.format()).isEqualTo("openai");
        assertThat(e.dataset()).isEqualTo("chat");
        assertThat(e.id()).startsWith("chat/");
        assertThat(e.schema()).isEqualTo(2);
        Map<Long, Reason> reasons = r.rejected().stream()
                .collect(Collectors.toMap(InstructionImport.Rejection::record, InstructionImport.Rejection::reason));
        assertThat(reasons)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        3L,
                        Reason.NO_ASSISTANT_TURN,
                        4L,
                        Reason.SYSTEM_NOT_FIRST,
                        5L,
                        Reason.NO_USER_TURN_FIRST,
                        6L,
                        Reason.UNKNOWN_ROLE,
                        7L,
                        Reason.EMPTY_MESSAGE,
                        8L,
                        Reason.MALFORMED,
                        9L,
                        Reason.MALFORMED,
                        10L,
                        Reason.MALFORMED,
                        11L,
                        Reason.DUPLICATE,
                        12L,
                        Reason.TOO_LONG));
        InstructionImport.Rejection tooLong = r.rejected().stream()
                .filter(x -> x.reason() == Reason.TOO_LONG)
                .findFirst()
                .orElseThrow();
        int tokens = template.render(
                        List.of(ChatMessage.user("Tell me everything."), ChatMessage.assistant("word ".repeat(300))))
                .ids()
                .length;
        assertThat(tooLong.detail()).startsWith(tokens + " tokens").contains("context of 64");
        assertThat(r.lengthChecked()).isTrue();
    }

    @Test
    void theLengthLimitIsContextPlusOneTokens() {
        List<ChatMessage> m = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello there, friend."));
        int n = template.render(m).ids().length;
        String line =
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello there, friend.\"}]}";
        assertThat(new InstructionImport(template, n - 1)
                        .read("d", "openai", line)
                        .accepted())
                .hasSize(1);
        assertThat(new InstructionImport(template, n - 2)
                        .read("d", "openai", line)
                        .rejected())
                .extracting(InstructionImport.Rejection::reason)
                .containsExactly(Reason.TOO_LONG);
    }

    @Test
    void alpacaArray() {
        String body = """
                [{"instruction": "Name a colour.", "input": "", "output": "Blue."},
                 {"instruction": "Translate", "input": "Hallo", "output": "Hello"},
                 {"instruction": "No answer", "input": ""},
                 {"instruction": "Empty answer", "output": ""},
                 {"instruction": "Name a colour.", "input": "", "output": "Blue."}]""";
        InstructionImport.Result r = NO_LENGTH.read("alp", "alpaca", body);
        assertThat(r.accepted())
                .extracting(InstructionExample::messages)
                .containsExactly(
                        List.of(ChatMessage.user("Name a colour."), ChatMessage.assistant("Blue.")),
                        List.of(ChatMessage.user("Translate\n\nHallo"), ChatMessage.assistant("Hello")));
        assertThat(r.rejected())
                .extracting(InstructionImport.Rejection::record, InstructionImport.Rejection::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, Reason.MALFORMED),
                        org.assertj.core.groups.Tuple.tuple(4L, Reason.EMPTY_MESSAGE),
                        org.assertj.core.groups.Tuple.tuple(5L, Reason.DUPLICATE));
        assertThat(r.lengthChecked()).isFalse();
        assertThat(r.rejectedByReason())
                .containsExactly(Map.entry("malformed", 1), Map.entry("empty-message", 1), Map.entry("duplicate", 1));
    }

    @Test
    void shareGptConversations() {
        String body = """
                [{"conversations": [{"from": "system", "value": "Be kind."}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"},
                                    {"from": "human", "value": "Bye"}, {"from": "gpt", "value": "Goodbye!"}]},
                 {"conversations": [{"from": "human", "value": "Hi"}, {"from": "wizard", "value": "Poof"}]},
                 {"conversations": [{"from": "gpt", "value": "Hello"}]},
                 {"conversations": []},
                 {"conversations": [{"from": "human", "value": "Only a question"}]}]""";
        InstructionImport.Result r = NO_LENGTH.read("sg", "sharegpt", body);
        assertThat(r.accepted()).hasSize(1);
        assertThat(r.accepted().get(0).messages())
                .extracting(ChatMessage::role)
                .containsExactly(
                        ChatMessage.Role.SYSTEM,
                        ChatMessage.Role.USER,
                        ChatMessage.Role.ASSISTANT,
                        ChatMessage.Role.USER,
                        ChatMessage.Role.ASSISTANT);
        assertThat(r.rejected())
                .extracting(InstructionImport.Rejection::reason)
                .containsExactly(
                        Reason.UNKNOWN_ROLE, Reason.NO_USER_TURN_FIRST, Reason.MALFORMED, Reason.NO_ASSISTANT_TURN);
    }

    @Test
    void e2eCsvGivesBothFormsAndRefusesBadMrs() {
        String body = "mr,ref\n"
                + "\"name[The Vaults], eatType[pub]\",The Vaults is a pub.\n"
                + "\"name[The Vaults], eatType[pub\",Broken MR.\n"
                + "\"name[The Vaults], eatType[pub]\",\n"
                + "\"name[The Vaults], eatType[pub]\",The Vaults is a pub.\n";
        InstructionImport.Result r = NO_LENGTH.read("e2e", "e2e", body);
        assertThat(r.accepted()).hasSize(2);
        assertThat(r.accepted().get(0).messages())
                .containsExactly(
                        ChatMessage.user("Describe this restaurant: name[The Vaults], eatType[pub]"),
                        ChatMessage.assistant("The Vaults is a pub."));
        assertThat(r.accepted().get(1).messages()).last().isEqualTo(ChatMessage.assistant("The Vaults is a pub."));
        assertThat(r.accepted().get(1).messages())
                .anySatisfy(m -> assertThat(m.content())
                        .isEqualTo("Generate a sentence describing: The Vaults {\"eatType\": \"pub\"}"));
        assertThat(r.accepted()).allSatisfy(e -> assertThat(e.group()).isEqualTo("name[The Vaults], eatType[pub]"));
        assertThat(r.rejected())
                .extracting(InstructionImport.Rejection::record, InstructionImport.Rejection::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, Reason.MALFORMED),
                        org.assertj.core.groups.Tuple.tuple(3L, Reason.EMPTY_MESSAGE),
                        org.assertj.core.groups.Tuple.tuple(3L, Reason.EMPTY_MESSAGE),
                        org.assertj.core.groups.Tuple.tuple(4L, Reason.DUPLICATE),
                        org.assertj.core.groups.Tuple.tuple(4L, Reason.DUPLICATE));
    }

    @Test
    void theDevSetImportsWhole() throws Exception {
        String csv = Files.readString(TestData.e2eDevsetPath());
        InstructionImport.Result r = new InstructionImport(template, 1024).read("e2e", "e2e", csv);
        // 4,672 references, two forms each; the development set repeats a few (MR, reference) pairs.
        assertThat(r.accepted().size() + r.rejected().size()).isEqualTo(2 * 4672);
        assertThat(r.rejected()).allSatisfy(x -> assertThat(x.reason()).isEqualTo(Reason.DUPLICATE));
        Set<String> seedForms = r.accepted().stream()
                .filter(e -> e.messages().size() == 3)
                .map(InstructionExample::id)
                .collect(Collectors.toSet());
        assertThat(seedForms.size()).isBetween(2000, 2700); // about half the references carry the system prompt
        // Re-reading gives the very same ids and splits.
        assertThat(new InstructionImport(template, 1024).read("e2e", "e2e", csv).accepted())
                .isEqualTo(r.accepted());
    }

    @Test
    void wholeFilesThatAreNotTheirFormatAreRefused() {
        assertThatThrownBy(() -> NO_LENGTH.read("d", "alpaca", "[{\"instruction\": "))
                .isInstanceOf(InstructionImport.BadFileException.class)
                .hasMessageContaining("not a valid JSON array");
        assertThatThrownBy(() -> NO_LENGTH.read("d", "openai", "hello\nworld"))
                .hasMessageContaining("no line is valid JSON");
        assertThatThrownBy(() -> NO_LENGTH.read("d", "e2e", "a,b\n1,2")).hasMessageContaining("mr,ref");
        assertThatThrownBy(() -> NO_LENGTH.read("d", "yaml", "")).hasMessageContaining("unknown format");
        assertThatThrownBy(() -> NO_LENGTH.read("../x", "openai", "")).hasMessageContaining("dataset");
    }
}
