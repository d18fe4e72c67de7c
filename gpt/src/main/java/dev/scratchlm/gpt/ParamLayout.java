package dev.scratchlm.gpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Offsets of every parameter tensor inside one contiguous buffer, in nanoGPT's order and names. */
final class ParamLayout {
    final List<TensorInfo> tensors;
    final int total;
    final int wte, wpe, lnfW, lnfB;
    /** The reward head's weight (1, C) and bias (1), or -1 for a language model. */
    final int headW, headB;

    final int[] ln1W, ln1B, qkvW, qkvB, attProjW, attProjB, ln2W, ln2B, fcW, fcB, fcProjW, fcProjB;

    ParamLayout(GptConfig cfg) {
        int c = cfg.nEmbd(), l = cfg.nLayer();
        List<TensorInfo> t = new ArrayList<>();
        long[] next = {0};
        wte = add(t, next, "wte", cfg.vocabSize(), c);
        wpe = add(t, next, "wpe", cfg.blockSize(), c);
        ln1W = new int[l];
        ln1B = new int[l];
        qkvW = new int[l];
        qkvB = new int[l];
        attProjW = new int[l];
        attProjB = new int[l];
        ln2W = new int[l];
        ln2B = new int[l];
        fcW = new int[l];
        fcB = new int[l];
        fcProjW = new int[l];
        fcProjB = new int[l];
        for (int i = 0; i < l; i++) {
            String p = "h." + i + ".";
            ln1W[i] = add(t, next, p + "ln_1.weight", c);
            ln1B[i] = add(t, next, p + "ln_1.bias", c);
            qkvW[i] = add(t, next, p + "attn.c_attn.weight", 3 * c, c);
            qkvB[i] = add(t, next, p + "attn.c_attn.bias", 3 * c);
            attProjW[i] = add(t, next, p + "attn.c_proj.weight", c, c);
            attProjB[i] = add(t, next, p + "attn.c_proj.bias", c);
            ln2W[i] = add(t, next, p + "ln_2.weight", c);
            ln2B[i] = add(t, next, p + "ln_2.bias", c);
            fcW[i] = add(t, next, p + "mlp.c_fc.weight", 4 * c, c);
            fcB[i] = add(t, next, p + "mlp.c_fc.bias", 4 * c);
            fcProjW[i] = add(t, next, p + "mlp.c_proj.weight", c, 4 * c);
            fcProjB[i] = add(t, next, p + "mlp.c_proj.bias", c);
        }
        lnfW = add(t, next, "ln_f.weight", c);
        lnfB = add(t, next, "ln_f.bias", c);
        // Last, so a language model's weights are a prefix of its reward model's.
        headW = cfg.rewardHead() ? add(t, next, "reward_head.weight", 1, c) : -1;
        headB = cfg.rewardHead() ? add(t, next, "reward_head.bias", 1) : -1;
        if (next[0] * 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model too large for one buffer: " + next[0] + " parameters");
        }
        total = (int) next[0];
        tensors = Collections.unmodifiableList(t);
    }

    private static int add(List<TensorInfo> t, long[] next, String name, int... shape) {
        long count = 1;
        for (int s : shape) count *= s;
        long off = next[0];
        t.add(new TensorInfo(name, shape.clone(), count, off));
        next[0] += count;
        return (int) off;
    }
}
