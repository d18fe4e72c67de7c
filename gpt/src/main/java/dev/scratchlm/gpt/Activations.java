package dev.scratchlm.gpt;

/**
 * Every activation and activation-gradient buffer for a (batch, context) shape, allocated once
 * (llm.c's ActivationTensors). Per-layer tensors are stacked with a stride for the maximum shape.
 */
final class Activations {
    final int maxB, maxT;
    final NativeBuffer encoded, ln1, ln1Mean, ln1Rstd, qkv, att, attD, atty, res2, ln2, ln2Mean, ln2Rstd;
    final NativeBuffer fch, fchGelu, res3, lnf, lnfMean, lnfRstd, logits, probs, branch;
    final NativeBuffer embMask, attnMask, mlpMask;
    // Gradient scratch, reused layer after layer.
    final NativeBuffer dres, dbranch, dln, dqkv, datty, dfch, dP;

    Activations(GptConfig cfg, int b, int t) {
        maxB = b;
        maxT = t;
        long[] s = sizes(cfg, b, t);
        int i = 0;
        encoded = new NativeBuffer(s[i++]);
        ln1 = new NativeBuffer(s[i++]);
        ln1Mean = new NativeBuffer(s[i++]);
        ln1Rstd = new NativeBuffer(s[i++]);
        qkv = new NativeBuffer(s[i++]);
        att = new NativeBuffer(s[i++]);
        atty = new NativeBuffer(s[i++]);
        res2 = new NativeBuffer(s[i++]);
        ln2 = new NativeBuffer(s[i++]);
        ln2Mean = new NativeBuffer(s[i++]);
        ln2Rstd = new NativeBuffer(s[i++]);
        fch = new NativeBuffer(s[i++]);
        fchGelu = new NativeBuffer(s[i++]);
        res3 = new NativeBuffer(s[i++]);
        lnf = new NativeBuffer(s[i++]);
        lnfMean = new NativeBuffer(s[i++]);
        lnfRstd = new NativeBuffer(s[i++]);
        logits = new NativeBuffer(s[i++]);
        probs = new NativeBuffer(s[i++]);
        branch = new NativeBuffer(s[i++]);
        dres = new NativeBuffer(s[i++]);
        dbranch = new NativeBuffer(s[i++]);
        dln = new NativeBuffer(s[i++]);
        dqkv = new NativeBuffer(s[i++]);
        datty = new NativeBuffer(s[i++]);
        dfch = new NativeBuffer(s[i++]);
        dP = new NativeBuffer(s[i++]);
        boolean drop = cfg.dropout() > 0f;
        attD = drop ? new NativeBuffer(s[i++]) : null;
        embMask = drop ? new NativeBuffer(s[i++]) : null;
        attnMask = drop ? new NativeBuffer(s[i++]) : null;
        mlpMask = drop ? new NativeBuffer(s[i++]) : null;
    }

    /** Float counts of every buffer above, in allocation order (shared with the memory estimate). */
    static long[] sizes(GptConfig cfg, int b, int t) {
        long c = cfg.nEmbd(), l = cfg.nLayer(), bt = (long) b * t, btc = bt * c, v = cfg.vocabSize();
        long att = l * b * cfg.nHead() * (long) t * t;
        long[] base = {
            btc,
            l * btc,
            l * bt,
            l * bt,
            l * bt * 3 * c,
            att,
            l * btc,
            l * btc,
            l * btc,
            l * bt,
            l * bt,
            l * bt * 4 * c,
            l * bt * 4 * c,
            l * btc,
            btc,
            bt,
            bt,
            bt * v,
            bt * v,
            btc,
            btc,
            btc,
            btc,
            bt * 3 * c,
            btc,
            bt * 4 * c,
            (long) t * t
        };
        if (cfg.dropout() == 0f) return base;
        long[] all = java.util.Arrays.copyOf(base, base.length + 4);
        all[base.length] = att;
        all[base.length + 1] = btc;
        all[base.length + 2] = l * btc;
        all[base.length + 3] = l * btc;
        return all;
    }
}
