package dev.scratchlm.gpt;

/** Small deterministic models and batches shared by the tests. */
final class Fixtures {
    private Fixtures() {}

    static GptConfig tiny() {
        return new GptConfig(16, 16, 2, 2, 32, 0f);
    }

    static TrainerConfig trainer(int batch, int seqLen, int accum, float lr) {
        return new TrainerConfig(
                batch,
                seqLen,
                accum,
                new LrSchedule(lr, lr / 10, 3, 30),
                new AdamW.Settings(0.9f, 0.99f, 1e-8f, 0.1f),
                1.0f);
    }

    /** Batches of a repeating pattern with a random phase, drawn from a seeded generator: position = its state. */
    static final class PatternSource implements BatchSource {
        final Rng rng;
        final int vocab;
        final boolean masked;

        PatternSource(long seed, int vocab, boolean masked) {
            this.rng = new Rng(seed);
            this.vocab = vocab;
            this.masked = masked;
        }

        @Override
        public boolean next(int[] inputs, int[] targets, float[] mask, int b, int t) {
            for (int i = 0; i < b; i++) {
                int phase = rng.nextInt(vocab);
                for (int j = 0; j < t; j++) {
                    inputs[i * t + j] = (phase + j * 3) % vocab;
                    targets[i * t + j] = (phase + (j + 1) * 3) % vocab;
                    if (masked) mask[i * t + j] = j % 2;
                }
            }
            return masked;
        }
    }

    static int[] randomTokens(Rng rng, int n, int vocab) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextInt(vocab);
        return a;
    }
}
