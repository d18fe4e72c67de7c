package dev.scratchlm.chat;

import dev.scratchlm.bpe.ChatMessage;
import java.util.List;

/**
 * A checked request to {@code /v1/chat/completions} or {@code /v1/completions}, rendered to prompt token ids.
 *
 * @param chat         true for the chat endpoint (chunk objects and logprob shapes differ)
 * @param messages     the conversation (chat only), kept for feedback on the answer
 * @param promptText   the prompt (completions only)
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with token counts
 * @param store        keep the answer so thumbs up/down can refer to it
 */
record CompletionRequest(
        boolean chat,
        LoadedModel model,
        int[] prompt,
        GenerationParams params,
        boolean stream,
        boolean includeUsage,
        boolean store,
        List<ChatMessage> messages,
        String promptText,
        BestOf bestOf) {

    /** {@code best_of: n}: n answers sampled (seeds seed, seed+1, ...), the one {@code reward} scores highest returned. */
    record BestOf(int n, RewardModel reward) {}
}
