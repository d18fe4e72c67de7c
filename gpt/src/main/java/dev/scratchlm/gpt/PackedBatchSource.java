package dev.scratchlm.gpt;

/**
 * Supplies batches whose rows pack several whole examples (supervised fine-tuning). Like {@link BatchSource}, the
 * trainer owns the arrays; a source also writes each token's position inside its own example into
 * {@code positions[b * t]} (0 where an example starts, see {@link Gpt#forwardPacked}) and always writes the loss
 * mask (the padding after a row's last example has mask 0).
 */
public interface PackedBatchSource {
    void next(int[] inputs, int[] targets, float[] mask, int[] positions, int b, int t);
}
