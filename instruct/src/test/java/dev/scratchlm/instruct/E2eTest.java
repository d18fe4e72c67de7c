package dev.scratchlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.ChatMessage;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class E2eTest {
    private static final String VAULTS =
            "name[The Vaults], eatType[pub], priceRange[more than £30], customer rating[5 out of 5], near[Café Adriatic]";

    @Test
    void parsesSlotsInOrder() {
        Map<String, String> slots = E2e.parse(VAULTS);
        assertThat(slots.keySet()).containsExactly("name", "eatType", "priceRange", "customer rating", "near");
        assertThat(slots).containsEntry("priceRange", "more than £30").containsEntry("near", "Café Adriatic");
    }

    @Test
    void refusesMalformedMrs() {
        assertThatThrownBy(() -> E2e.parse("name[X], food[Chinese")).hasMessageContaining("attr[value]");
        assertThatThrownBy(() -> E2e.parse("name[X] food[Chinese]")).hasMessageContaining("expected ','");
        assertThatThrownBy(() -> E2e.parse("food[Chinese]")).hasMessageContaining("no name");
        assertThatThrownBy(() -> E2e.parse("name[X], name[Y]")).hasMessageContaining("twice");
        assertThatThrownBy(() -> E2e.parse(" ")).hasMessageContaining("empty");
    }

    @Test
    void theTwoPromptForms() {
        assertThat(E2e.mrPrompt(VAULTS)).isEqualTo("Describe this restaurant: " + VAULTS);
        String mr =
                "name[Midsummer House], eatType[restaurant], food[Chinese], priceRange[moderate], customer rating[3/5], near[All Bar One]";
        assertThat(E2e.seedPrompt(mr))
                .isEqualTo("Generate a sentence describing: Midsummer House "
                        + "{\"eatType\": \"restaurant\", \"food\": \"Chinese\", \"priceRange\": \"moderate\", \"customer rating\": \"3/5\", "
                        + "\"near\": \"All Bar One\"}");
        assertThat(E2e.seedConversation(mr, "ref", true))
                .containsExactly(
                        ChatMessage.system("You are an AI assistant. Generate a detailed answer."),
                        ChatMessage.user(E2e.seedPrompt(mr)),
                        ChatMessage.assistant("ref"));
        assertThat(E2e.seedConversation(mr, "ref", false)).hasSize(2);
        assertThat(E2e.seedPrompt("name[Solo]")).isEqualTo("Generate a sentence describing: Solo");
    }

    @Test
    void eitherPromptFormNamesItsMr() {
        String mr =
                "name[Midsummer House], eatType[restaurant], food[Chinese], priceRange[moderate], customer rating[3/5], near[All Bar One]";
        assertThat(E2e.mrOfPrompt(E2e.mrPrompt(mr))).contains(mr);
        assertThat(E2e.mrOfPrompt(E2e.seedPrompt(mr))).contains(mr);
        assertThat(E2e.mrOfPrompt(E2e.seedPrompt("name[Solo]"))).contains("name[Solo]");
        assertThat(E2e.mrOfPrompt("Generate a sentence describing: X {\"food\": 3}"))
                .isEmpty();
        assertThat(E2e.mrOfPrompt("Generate a sentence describing: X {not json"))
                .isEmpty();
        assertThat(E2e.mrOfPrompt("Describe this restaurant: not an mr")).isEmpty();
        assertThat(E2e.mrOfPrompt("What is the capital of France?")).isEmpty();
    }

    @Test
    void readsRfc4180Csv() throws Exception {
        String csv =
                "mr,ref\r\n\"name[A], food[Chinese]\",\"A serves \"\"Chinese\"\" food,\nreally.\"\r\nname[B],Plain text\r\n";
        List<E2e.Row> rows = E2e.readCsv(new StringReader(csv));
        assertThat(rows).extracting(E2e.Row::mr).containsExactly("name[A], food[Chinese]", "name[B]");
        assertThat(rows.get(0).ref()).isEqualTo("A serves \"Chinese\" food,\nreally.");
        assertThatThrownBy(() -> E2e.readCsv(new StringReader("a,b\n1,2\n"))).hasMessageContaining("mr,ref");
    }

    @Test
    void theCommittedDevSetHasItsPublishedSize() throws Exception {
        List<E2e.Row> rows = TestData.e2eDevset();
        assertThat(rows).hasSize(4672);
        assertThat(E2e.referencesByMr(rows)).hasSize(547);
        for (E2e.Row r : rows) {
            assertThat(E2e.SLOTS).containsAll(E2e.parse(r.mr()).keySet());
        }
    }

    @Test
    void splitByMrPutsNoMrOnBothSidesAndHoldsOutAboutATenth() throws Exception {
        Map<String, Set<String>> splitsByMr = new HashMap<>();
        for (E2e.Row r : TestData.e2eDevset()) {
            for (var ex : E2eImport.examples("e2e", r.mr(), r.ref())) {
                splitsByMr
                        .computeIfAbsent(ex.group(), k -> new java.util.HashSet<>())
                        .add(ex.split());
            }
        }
        assertThat(splitsByMr).hasSize(547);
        assertThat(splitsByMr.values()).allSatisfy(s -> assertThat(s).hasSize(1));
        long heldout =
                splitsByMr.values().stream().filter(s -> s.contains("heldout")).count();
        assertThat(heldout).isBetween(35L, 80L); // ~10% of 547
    }
}
