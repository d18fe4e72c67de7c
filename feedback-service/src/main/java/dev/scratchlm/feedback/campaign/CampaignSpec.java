package dev.scratchlm.feedback.campaign;

import dev.scratchlm.service.ApiError;

/**
 * What an admin sets for a campaign. Ranges: k 2..9 candidates per prompt; temperature 0..2 (0 would give k equal
 * candidates); top_p (0, 1]; 1..1024 new tokens; overlap 1..20 raters per task.
 *
 * @param judge a judge that ranks each task as its candidates arrive ({@code rule}), or null for people only
 */
public record CampaignSpec(
        String name,
        String model,
        int k,
        double temperature,
        double topP,
        int maxTokens,
        int overlap,
        String guidelines,
        String judge) {
    public static final int MAX_GUIDELINES = 20_000;

    public CampaignSpec {
        if (name == null || name.isBlank() || name.length() > 200)
            throw ApiError.invalid("name", "a campaign needs a name of 1-200 characters");
        if (model == null || model.isBlank() || model.length() > 200)
            throw ApiError.invalid("model", "name the model to rank: an alias (sft, dpo) or a checkpoint id");
        if (k < 2 || k > 9) throw ApiError.invalid("k", "k is the number of candidates per prompt: 2 to 9, got " + k);
        if (!(temperature > 0 && temperature <= 2))
            throw ApiError.invalid(
                    "temperature", "temperature must be above 0 and at most 2 (0 gives k equal candidates)");
        if (!(topP > 0 && topP <= 1)) throw ApiError.invalid("topP", "topP must be above 0 and at most 1");
        if (maxTokens < 1 || maxTokens > 1024) throw ApiError.invalid("maxTokens", "maxTokens must be 1 to 1024");
        if (overlap < 1 || overlap > 20) throw ApiError.invalid("overlap", "overlap (raters per task) must be 1 to 20");
        if (guidelines == null) guidelines = "";
        if (guidelines.length() > MAX_GUIDELINES)
            throw ApiError.invalid("guidelines", "guidelines are at most " + MAX_GUIDELINES + " characters");
        if (judge != null && !judge.equals("rule"))
            throw ApiError.invalid("judge", "the judge is 'rule' (slot error on restaurant prompts) or absent");
    }
}
