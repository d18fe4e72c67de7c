package dev.scratchlm.gpt;

import java.util.Arrays;

/**
 * One parameter tensor: its nanoGPT/llm.c name (wte, wpe, h.0.ln_1.weight, ...), shape, element count
 * and offset (in floats) inside the model's single contiguous parameter buffer.
 */
public record TensorInfo(String name, int[] shape, long count, long offset) {
    /** Matrices (2-D, embeddings included, as in nanoGPT) get weight decay; biases and LayerNorm do not. */
    public boolean decayed() {
        return shape.length == 2;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "=" + count;
    }
}
