package dev.scratchlm.instruct;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Identity and knowledge-cutoff turns made from the model's own card, so the model answers "who are you" and
 * "what is your knowledge cutoff" with facts about itself. Each question has several paraphrases; the last of each
 * is held out (split {@code heldout}) to check that the answer generalizes beyond the trained wording, the others
 * are trained. Format {@value #FORMAT}.
 */
public final class IdentityTurns {
    private IdentityTurns() {}

    public static final String FORMAT = "identity";

    /**
     * What the model knows about itself, from the parent checkpoint.
     *
     * @param name            the model's name, e.g. "ScratchLM"
     * @param parameters      parameter count
     * @param documents       training documents of the pre-training run
     * @param knowledgeCutoff the date of the newest training data
     */
    public record Facts(String name, long parameters, long documents, LocalDate knowledgeCutoff) {
        public Facts {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(knowledgeCutoff, "knowledgeCutoff");
            if (parameters <= 0 || documents < 0) {
                throw new IllegalArgumentException("parameters must be positive and documents not negative");
            }
        }
    }

    static final List<String> WHO = List.of(
            "Who are you?",
            "What are you?",
            "Tell me about yourself.",
            "What is your name?",
            "Introduce yourself.",
            "Which model are you?");
    static final List<String> CUTOFF = List.of(
            "What is your knowledge cutoff?",
            "When does your training data end?",
            "What is your knowledge cutoff date?",
            "Up to when do you know things?",
            "How recent is your knowledge?");
    static final List<String> PARAMETERS = List.of(
            "How many parameters do you have?",
            "How big are you?",
            "What is your parameter count?",
            "How large is your model?",
            "How many weights do you have?");

    /** All identity turns for {@code card}, in dataset {@code dataset}. */
    public static List<InstructionExample> examples(Facts card, String dataset) {
        String cutoff = card.knowledgeCutoff().format(DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.ENGLISH));
        String params = String.format(Locale.ENGLISH, "%,d", card.parameters());
        String docs = String.format(Locale.ENGLISH, "%,d", card.documents());
        String who = "I am " + card.name() + ", a small language model with " + params + " parameters, pre-trained on "
                + docs + " documents and then fine-tuned to follow instructions. My knowledge ends on " + cutoff + ".";
        String cut = "My knowledge cutoff is " + cutoff
                + ": I was trained on documents up to that date and know nothing later.";
        String size = "I have " + params + " parameters.";
        List<InstructionExample> out = new ArrayList<>();
        add(out, dataset, "who", WHO, who);
        add(out, dataset, "cutoff", CUTOFF, cut);
        add(out, dataset, "parameters", PARAMETERS, size);
        return out;
    }

    private static void add(
            List<InstructionExample> out, String dataset, String topic, List<String> questions, String answer) {
        for (int i = 0; i < questions.size(); i++) {
            List<ChatMessage> messages = List.of(ChatMessage.user(questions.get(i)), ChatMessage.assistant(answer));
            String split = i == questions.size() - 1 ? InstructionExample.HELDOUT : InstructionExample.TRAIN;
            out.add(new InstructionExample(
                    InstructionExample.SCHEMA,
                    Examples.id(dataset, messages),
                    dataset,
                    FORMAT,
                    split,
                    "identity:" + topic + ":" + i,
                    messages));
        }
    }
}
