package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.Sampler;
import dev.scratchlm.instruct.E2e;
import dev.scratchlm.instruct.E2eImport;
import dev.scratchlm.instruct.SlotError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class E2eEvaluationTest {
    private static final String VAULTS = "name[The Vaults], eatType[pub], near[Café Adriatic]";
    private static final String EAGLE = "name[The Eagle], food[French]";
    private static final String MILL = "name[The Mill], area[riverside]";

    private static List<InstructionExample> examples() {
        List<InstructionExample> out = new ArrayList<>();
        out.addAll(E2eImport.examples("e2e", VAULTS, "The Vaults is a pub near Café Adriatic."));
        out.addAll(E2eImport.examples("e2e", VAULTS, "Near Café Adriatic is a pub, The Vaults."));
        out.addAll(E2eImport.examples("e2e", EAGLE, "The Eagle serves French food."));
        out.addAll(E2eImport.examples("e2e", MILL, "The Mill is by the riverside."));
        return out;
    }

    @Test
    void everyReferenceOfAnMrOnceAndExcludedMrsLeftOut() {
        E2eEvaluation.HeldOut all = E2eEvaluation.heldout(examples(), Set.of(), 100);
        assertThat(all.mrs()).containsExactly(EAGLE, MILL, VAULTS); // MR order
        // Both prompt forms carry each reference: counted once.
        assertThat(all.refs().get(2))
                .containsExactly("The Vaults is a pub near Café Adriatic.", "Near Café Adriatic is a pub, The Vaults.");

        E2eEvaluation.HeldOut rest = E2eEvaluation.heldout(examples(), Set.of(EAGLE), 100);
        assertThat(rest.mrs()).containsExactly(MILL, VAULTS);
        assertThat(E2eEvaluation.heldout(examples(), Set.of(), 1).mrs()).containsExactly(EAGLE);
    }

    @Test
    void bestOfKeepsTheSampleTheRewardModelScoresHighest() {
        ChatTemplate template = new ChatTemplate(
                ScratchFormat.fromText(TestCorpus.chatTokenizer("t").definition()));
        int vocab = template.tokenizer().vocabSize();
        Gpt policy = new Gpt(new GptConfig(vocab, 128, 1, 2, 32, 0f), 8, 3);
        Gpt reward = new Gpt(new GptConfig(vocab, 128, 1, 2, 32, 0f, true), 4, 5);
        E2eEvaluation.HeldOut held = E2eEvaluation.heldout(examples(), Set.of(), 100);
        Sampler.Settings s = new Sampler.Settings(1f, 0, 1f, 0);
        E2eEvaluation.Result r = E2eEvaluation.run(policy, template, held, new E2eEvaluation.BestOf(3, reward, s, 9));

        // The same seed draws the same samples: 3 per MR, in MR order.
        List<List<ChatMessage>> repeated = new ArrayList<>();
        for (String mr : held.mrs()) for (int i = 0; i < 3; i++) repeated.add(E2e.mrQuestion(mr));
        List<String> samples = ChatAnswers.answer(policy, template, repeated, new Sampler(s, 9));
        for (int q = 0; q < held.size(); q++) {
            List<String> three = samples.subList(3 * q, 3 * q + 3);
            float[] scores = E2eEvaluation.score(
                    reward, template, E2e.mrQuestion(held.mrs().get(q)), three);
            int best = 0;
            for (int i = 1; i < 3; i++) if (scores[i] > scores[best]) best = i;
            assertThat(r.outputs().get(q)).isEqualTo(three.get(best));
            assertThat(r.rewards()[q]).isEqualTo(scores[best]);
            assertThat(r.sampled().get(q)).isEqualTo(three.get(0));
        }
        assertThat(r.slotError()).isEqualTo(SlotError.rate(held.mrs(), r.outputs()));
        assertThat(r.sampledSlotError()).isEqualTo(SlotError.rate(held.mrs(), r.sampled()));
    }

    @Test
    void aCampaignPromptInAnyFormNamesItsMr() {
        List<InstructionExample> ex = examples();
        // The MR form, and the seed form with or without the system prompt, as a campaign would have asked them.
        List<ChatMessage> mrForm = E2e.mrQuestion(EAGLE);
        List<ChatMessage> seedForm = new ArrayList<>(
                ex.stream().filter(e -> e.group().equals(MILL)).toList().get(1).messages());
        seedForm.remove(seedForm.size() - 1);
        List<ChatMessage> unrelated = List.of(ChatMessage.user("Describe this restaurant: name[Nowhere]"));
        assertThat(E2eEvaluation.mrsAskedIn(List.of(mrForm, seedForm, unrelated), ex))
                .containsExactlyInAnyOrder(EAGLE, MILL);
    }
}
