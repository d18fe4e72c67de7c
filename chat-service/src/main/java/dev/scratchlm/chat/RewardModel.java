package dev.scratchlm.chat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.PreferenceGroup;
import dev.scratchlm.gpt.PreferenceTrainer;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded reward model (stage {@code reward}): the transformer with a scalar head, scoring an answer to a
 * conversation at the answer's closing end token, rendered exactly as the reward stage trained on it. Not a chat
 * model: it is never decoded from.
 */
final class RewardModel {
    /** Answers scored in one forward pass. */
    private static final int BATCH = 4;

    final String id;
    final CheckpointManifest manifest;
    final String tokenizerId;
    private final ChatTemplate template;
    private final Gpt model;

    RewardModel(CheckpointManifest manifest, Checkpoint checkpoint, ChatTemplate template) {
        this.id = manifest.checkpointId();
        this.manifest = manifest;
        this.tokenizerId = manifest.tokenizerId();
        this.template = template;
        this.model = checkpoint.toModel(BATCH);
        this.model.setTraining(false);
    }

    dev.scratchlm.gpt.GptConfig config() {
        return model.config();
    }

    int blockSize() {
        return model.config().blockSize();
    }

    /**
     * Each answer's reward as the reply to {@code prompt}; refused (IllegalArgumentException) when a rendered answer
     * is longer than the model's context. One caller at a time: the model's activations are shared.
     */
    synchronized float[] score(List<ChatMessage> prompt, List<String> answers) {
        List<PreferenceGroup.Candidate> candidates = new ArrayList<>(answers.size());
        for (String a : answers) {
            ChatTemplate.Rendered r = template.renderReply(prompt, a);
            if (r.ids().length > blockSize()) {
                throw new IllegalArgumentException("an answer with its conversation is " + r.ids().length
                        + " tokens, longer than the reward model's context of " + blockSize());
            }
            candidates.add(new PreferenceGroup.Candidate(r.ids(), r.lossMask()));
        }
        return PreferenceTrainer.score(model, candidates);
    }
}
