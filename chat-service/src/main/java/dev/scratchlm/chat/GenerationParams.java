package dev.scratchlm.chat;

import dev.scratchlm.gpt.Sampler;
import java.util.List;

/**
 * How to generate one answer, already validated (see {@link RequestParser}).
 *
 * @param temperature 0 means greedy
 * @param topP        nucleus sampling mass, 1 = off
 * @param topK        keep the k most likely tokens, 0 = off
 * @param seed        the sampler's seed: same seed and request, same text
 * @param maxTokens   most tokens to generate
 * @param stop        stop sequences: the text is cut before the first one
 * @param logprobs    whether to report each token's log-probability
 * @param topLogprobs how many most likely alternatives to report per token
 */
public record GenerationParams(
        float temperature,
        float topP,
        int topK,
        long seed,
        int maxTokens,
        List<String> stop,
        boolean logprobs,
        int topLogprobs) {
    public GenerationParams {
        stop = List.copyOf(stop);
    }

    Sampler.Settings samplerSettings() {
        return new Sampler.Settings(temperature, topK, topP, logprobs ? topLogprobs : 0);
    }
}
