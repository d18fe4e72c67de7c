package dev.scratchlm.gpt;

/**
 * The reward model's scalar head: a (C -> 1) linear layer on the final LayerNorm's output at one position per
 * sequence, the closing {@code <|end|>} of the answer (InstructGPT's reward model reads the last token the same way).
 */
final class RewardHead {
    private RewardHead() {}

    /**
     * rewards[rOff + s] = lnf[s, ends[eOff + s], :] . w + bias for each of the b sequences.
     *
     * @param lnf (B, T, C) final hidden states
     */
    static void forward(
            float[] rewards,
            int rOff,
            NativeBuffer lnf,
            int lnfOff,
            int[] ends,
            int eOff,
            NativeBuffer w,
            int wOff,
            NativeBuffer bias,
            int bOff,
            int b,
            int t,
            int c) {
        for (int s = 0; s < b; s++) {
            int row = lnfOff + (s * t + ends[eOff + s]) * c;
            rewards[rOff + s] = Kernels.dot(lnf.bb, row, w.bb, wOff, c) + bias.get(bOff);
        }
    }

    /**
     * dlnf (B, T, C) is overwritten: zero except at each sequence's end row, where it is drewards[s] * w;
     * dw += sum_s drewards[s] * lnf[s, end]; dbias += sum_s drewards[s].
     */
    static void backward(
            NativeBuffer dlnf,
            int dOff,
            NativeBuffer dw,
            int dwOff,
            NativeBuffer dbias,
            int dbOff,
            float[] drewards,
            int rOff,
            NativeBuffer lnf,
            int lnfOff,
            int[] ends,
            int eOff,
            NativeBuffer w,
            int wOff,
            int b,
            int t,
            int c) {
        Kernels.fill(dlnf.bb, dOff, b * t * c, 0f);
        float db = 0f;
        for (int s = 0; s < b; s++) {
            float g = drewards[rOff + s];
            int pos = (s * t + ends[eOff + s]) * c;
            Kernels.axpy(g, w.bb, wOff, dlnf.bb, dOff + pos, c);
            Kernels.axpy(g, lnf.bb, lnfOff + pos, dw.bb, dwOff, c);
            db += g;
        }
        dbias.set(dbOff, dbias.get(dbOff) + db);
    }
}
