package dev.scratchlm.gpt;

/**
 * The model's weights as incremental decoding reads them: heap arrays, every matrix repacked as (in, out) panels.
 *
 * <p>Why a copy: packed with the input dimension outermost ({@link DecodeKernels#pack}), {@link DecodeKernels#matmul} reads each weight row once
 * for up to 8 sequences and accumulates whole vectors of outputs, with no horizontal sums (which made a
 * dot-product kernel 2-4x slower than sgemv). Measured at 8 rows and width 128: 220-250 GFLOP/s on one core,
 * against 60 for eight sgemv calls and 40 for an sgemm that packs the weights on every call.
 */
final class DecodeWeights {
    final int nLayer, c, vocab, blockSize;
    /** Embedding lookups: wte (vocab, c) as stored, wpe (block, c). */
    final float[] wte, wpe;
    /** The tied LM head: wte packed like the other matrices. */
    final float[] head;

    final float[] lnfW, lnfB;
    final float[][] ln1W, ln1B, qkvW, qkvB, projW, projB, ln2W, ln2B, fcW, fcB, fcProjW, fcProjB;

    /** Snapshot of {@code model}'s current parameters. */
    DecodeWeights(Gpt model) {
        GptConfig cfg = model.config();
        ParamLayout p = model.layout();
        float[] all = model.copyWeights();
        nLayer = cfg.nLayer();
        c = cfg.nEmbd();
        vocab = cfg.vocabSize();
        blockSize = cfg.blockSize();
        wte = slice(all, p.wte, vocab * c);
        wpe = slice(all, p.wpe, blockSize * c);
        head = DecodeKernels.pack(all, p.wte, vocab, c);
        lnfW = slice(all, p.lnfW, c);
        lnfB = slice(all, p.lnfB, c);
        ln1W = new float[nLayer][];
        ln1B = new float[nLayer][];
        qkvW = new float[nLayer][];
        qkvB = new float[nLayer][];
        projW = new float[nLayer][];
        projB = new float[nLayer][];
        ln2W = new float[nLayer][];
        ln2B = new float[nLayer][];
        fcW = new float[nLayer][];
        fcB = new float[nLayer][];
        fcProjW = new float[nLayer][];
        fcProjB = new float[nLayer][];
        for (int l = 0; l < nLayer; l++) {
            ln1W[l] = slice(all, p.ln1W[l], c);
            ln1B[l] = slice(all, p.ln1B[l], c);
            qkvW[l] = DecodeKernels.pack(all, p.qkvW[l], 3 * c, c);
            qkvB[l] = slice(all, p.qkvB[l], 3 * c);
            projW[l] = DecodeKernels.pack(all, p.attProjW[l], c, c);
            projB[l] = slice(all, p.attProjB[l], c);
            ln2W[l] = slice(all, p.ln2W[l], c);
            ln2B[l] = slice(all, p.ln2B[l], c);
            fcW[l] = DecodeKernels.pack(all, p.fcW[l], 4 * c, c);
            fcB[l] = slice(all, p.fcB[l], 4 * c);
            fcProjW[l] = DecodeKernels.pack(all, p.fcProjW[l], c, 4 * c);
            fcProjB[l] = slice(all, p.fcProjB[l], c);
        }
    }

    /** Floats held: the parameters once, plus the transposed LM head. */
    static long floats(GptConfig cfg) {
        return new ParamLayout(cfg).total + (long) cfg.vocabSize() * cfg.nEmbd();
    }

    private static float[] slice(float[] all, int off, int n) {
        return java.util.Arrays.copyOfRange(all, off, off + n);
    }
}
