package dev.scratchlm.instruct;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import java.util.List;

/**
 * How one E2E reference becomes training examples: the MR form, and the seed form, with the system prompt for
 * about half of the references (chosen by a hash of the reference, so a re-import makes the same examples) and
 * without it for the rest. Both forms are trained without tripling the data; all share the MR as split group.
 */
public final class E2eImport {
    private E2eImport() {}

    public static final String FORMAT = "e2e";

    public static List<InstructionExample> examples(String dataset, String mr, String ref) {
        E2e.parse(mr); // refuses a malformed MR before anything is made
        boolean withSystem = (Examples.sha256(ref).charAt(0) & 1) == 0;
        List<ChatMessage> mrForm = E2e.mrConversation(mr, ref);
        List<ChatMessage> seedForm = E2e.seedConversation(mr, ref, withSystem);
        return List.of(Examples.of(dataset, FORMAT, mr, mrForm), Examples.of(dataset, FORMAT, mr, seedForm));
    }
}
