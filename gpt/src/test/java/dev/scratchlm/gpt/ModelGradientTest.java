package dev.scratchlm.gpt;

import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Finite-difference check of the whole model's backward, every parameter tensor, on a tiny config. */
class ModelGradientTest {

    @Test
    void wholeModel() {
        check(new GptConfig(11, 8, 2, 2, 8, 0f), null);
    }

    @Test
    void wholeModelWithMaskAndDropout() {
        float[] mask = new float[2 * 8];
        for (int i = 0; i < mask.length; i++) mask[i] = i % 3 == 0 ? 0f : 1f;
        check(new GptConfig(11, 8, 2, 2, 8, 0.2f), mask);
    }

    @Test
    void wholeModelPacked() {
        float[] mask = new float[2 * 8];
        for (int i = 0; i < mask.length; i++) mask[i] = i % 4 == 0 ? 0f : 1f;
        check(new GptConfig(11, 8, 2, 2, 8, 0.2f), mask, new int[] {0, 1, 2, 0, 1, 2, 3, 4, 0, 1, 2, 3, 0, 1, 0, 1});
    }

    private void check(GptConfig cfg, float[] mask) {
        check(cfg, mask, null);
    }

    private void check(GptConfig cfg, float[] mask, int[] positions) {
        int b = 2, t = 8;
        Gpt model = new Gpt(cfg, b, 3);
        // Larger weights than the 0.02 init so gradients are well above float rounding noise.
        Rng rng = new Rng(5);
        float[] w = model.copyWeights();
        for (int i = 0; i < w.length; i++) w[i] += (float) (rng.nextGaussian() * 0.3);
        model.loadWeights(w);
        int[] in = new int[b * t], tg = new int[b * t];
        for (int i = 0; i < in.length; i++) {
            in[i] = rng.nextInt(cfg.vocabSize());
            tg[i] = rng.nextInt(cfg.vocabSize());
        }
        DoubleSupplier loss = () -> {
            model.dropoutRng().setState(99); // same dropout masks on every evaluation
            return positions == null
                    ? model.forward(in, tg, mask, b, t)
                    : model.forwardPacked(in, tg, mask, positions, b, t);
        };
        model.zeroGrad();
        loss.getAsDouble();
        model.backward(1f);
        float[] g = model.copyGradients();
        for (TensorInfo ti : model.parameterTable()) {
            float[] analytic = new float[(int) ti.count()];
            System.arraycopy(g, (int) ti.offset(), analytic, 0, analytic.length);
            GradCheck.check(ti.name(), model.params, (int) ti.offset(), analytic, loss, 1e-2, 40);
        }
    }
}
