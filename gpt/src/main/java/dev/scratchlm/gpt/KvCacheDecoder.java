package dev.scratchlm.gpt;

/**
 * Incremental decoding with a key/value cache: a prompt is prefilled once, then each new token costs
 * one row through the network, never recomputing the prefix. Several independent sequences live in
 * slots and one {@link #decode} call advances any subset of them together (each at its own
 * position), so the linear layers run as one matrix product over all active sequences.
 *
 * <p>Shares the weights of the {@link Gpt} it was made from (training the model changes what it
 * decodes). Not thread-safe: serve concurrent requests by batching them into {@link #decode} calls
 * from one thread, or guard it with a lock.
 */
public final class KvCacheDecoder {
    private final Gpt model;
    private final GptConfig cfg;
    private final ParamLayout p;
    private final int slots, maxRows;
    private final NativeBuffer kCache, vCache;
    private final NativeBuffer x, ln, qkv, atty, branch, fch, outLn, logits, scores;
    private final int[] lengths;
    private final int[] rowSlot, rowPos, outRows;

    /** A cache for {@code maxSequences} concurrent sequences of up to blockSize tokens each. */
    public KvCacheDecoder(Gpt model, int maxSequences) {
        if (maxSequences <= 0) throw new IllegalArgumentException("maxSequences must be > 0, got " + maxSequences);
        this.model = model;
        this.cfg = model.config();
        this.p = model.layout();
        this.slots = maxSequences;
        this.maxRows = Math.max(maxSequences, cfg.blockSize());
        int c = cfg.nEmbd();
        long cache = (long) cfg.nLayer() * slots * cfg.blockSize() * c;
        kCache = new NativeBuffer(cache);
        vCache = new NativeBuffer(cache);
        x = new NativeBuffer((long) maxRows * c);
        ln = new NativeBuffer((long) maxRows * c);
        qkv = new NativeBuffer((long) maxRows * 3 * c);
        atty = new NativeBuffer((long) maxRows * c);
        branch = new NativeBuffer((long) maxRows * c);
        fch = new NativeBuffer((long) maxRows * 4 * c);
        outLn = new NativeBuffer((long) maxRows * c);
        logits = new NativeBuffer((long) maxRows * cfg.vocabSize());
        lengths = new int[slots];
        rowSlot = new int[maxRows];
        rowPos = new int[maxRows];
        outRows = new int[maxRows];
        scores = new NativeBuffer(cfg.blockSize());
    }

    static long bufferFloats(GptConfig cfg, int maxSequences) {
        long c = cfg.nEmbd(), rows = Math.max(maxSequences, cfg.blockSize());
        return 2L * cfg.nLayer() * maxSequences * cfg.blockSize() * c + rows * c * 13 + rows * cfg.vocabSize()
                + cfg.blockSize();
    }

    public int maxSequences() {
        return slots;
    }

    public GptConfig config() {
        return cfg;
    }

    /** Tokens currently cached for {@code slot}. */
    public int length(int slot) {
        checkSlot(slot);
        return lengths[slot];
    }

    /** Forgets a sequence so its slot can start a new one. */
    public void reset(int slot) {
        checkSlot(slot);
        lengths[slot] = 0;
    }

    /**
     * Appends {@code tokens} to the sequence in {@code slot} in one pass and returns the logits after
     * the last of them (the distribution of the next token).
     */
    public float[] prefill(int slot, int[] tokens) {
        checkSlot(slot);
        int n = tokens.length;
        if (n == 0) throw new IllegalArgumentException("prefill needs at least one token");
        checkRoom(slot, n);
        for (int i = 0; i < n; i++) {
            rowSlot[i] = slot;
            rowPos[i] = lengths[slot] + i;
        }
        outRows[0] = n - 1;
        run(tokens, n, 1);
        lengths[slot] += n;
        float[] out = new float[cfg.vocabSize()];
        logits.copyTo(0, out, 0, out.length);
        return out;
    }

    /**
     * Advances several sequences by one token each: {@code tokens[i]} is appended to {@code slots[i]}
     * (slots distinct), and {@code out[i]} (length vocabSize; allocated when null or short) receives the
     * logits for that sequence's next token. Returns {@code out}.
     */
    public float[][] decode(int[] slotIds, int[] tokens, float[][] out) {
        int n = slotIds.length;
        if (tokens.length != n) throw new IllegalArgumentException("slots and tokens differ in length: " + n + " vs " + tokens.length);
        if (n == 0 || n > slots) throw new IllegalArgumentException("decode takes 1.." + slots + " sequences, got " + n);
        for (int i = 0; i < n; i++) {
            int s = slotIds[i];
            checkSlot(s);
            for (int j = 0; j < i; j++) {
                if (slotIds[j] == s) throw new IllegalArgumentException("slot " + s + " appears twice in one decode step");
            }
            checkRoom(s, 1);
            rowSlot[i] = s;
            rowPos[i] = lengths[s];
            outRows[i] = i;
        }
        run(tokens, n, n);
        int v = cfg.vocabSize();
        if (out == null || out.length < n) out = new float[n][];
        for (int i = 0; i < n; i++) {
            if (out[i] == null || out[i].length < v) out[i] = new float[v];
            logits.copyTo((long) i * v, out[i], 0, v);
            lengths[slotIds[i]]++;
        }
        return out;
    }

    /** One token for one sequence: {@code decode(new int[]{slot}, new int[]{token}, null)[0]}. */
    public float[] decode(int slot, int token) {
        return decode(new int[] {slot}, new int[] {token}, null)[0];
    }

    /** Rows 0..n-1 are (rowSlot, rowPos, tokens); logits for rows outRows[0..nOut) go to logits[0..nOut). */
    private void run(int[] tokens, int n, int nOut) {
        int c = cfg.nEmbd(), hs = cfg.headSize(), nh = cfg.nHead(), v = cfg.vocabSize();
        NativeBuffer w = model.params;
        for (int r = 0; r < n; r++) {
            Embedding.checkToken(tokens[r], v);
            Kernels.add(w.bb, p.wte + tokens[r] * c, w.bb, p.wpe + rowPos[r] * c, x.bb, r * c, c);
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int l = 0; l < cfg.nLayer(); l++) {
            LayerNorm.forward(ln, 0, null, null, 0, x, 0, w, p.ln1W[l], w, p.ln1B[l], n, c);
            Linear.forward(qkv, 0, ln, 0, w, p.qkvW[l], w, p.qkvB[l], n, c, 3 * c);
            for (int r = 0; r < n; r++) {
                int at = cacheOffset(l, rowSlot[r], rowPos[r]);
                Kernels.copy(qkv.bb, r * 3 * c + c, kCache.bb, at, c);
                Kernels.copy(qkv.bb, r * 3 * c + 2 * c, vCache.bb, at, c);
            }
            for (int r = 0; r < n; r++) attend(l, r, nh, hs, c, scale);
            Linear.forward(branch, 0, atty, 0, w, p.attProjW[l], w, p.attProjB[l], n, c, c);
            Kernels.addInto(branch.bb, 0, x.bb, 0, n * c);
            LayerNorm.forward(ln, 0, null, null, 0, x, 0, w, p.ln2W[l], w, p.ln2B[l], n, c);
            Linear.forward(fch, 0, ln, 0, w, p.fcW[l], w, p.fcB[l], n, c, 4 * c);
            Gelu.forward(fch, 0, fch, 0, n * 4 * c);
            Linear.forward(branch, 0, fch, 0, w, p.fcProjW[l], w, p.fcProjB[l], n, 4 * c, c);
            Kernels.addInto(branch.bb, 0, x.bb, 0, n * c);
        }
        // Final LayerNorm and the tied LM head only for rows whose logits are wanted.
        for (int i = 0; i < nOut; i++) {
            LayerNorm.forward(outLn, i * c, null, null, 0, x, outRows[i] * c, w, p.lnfW, w, p.lnfB, 1, c);
        }
        Linear.forward(logits, 0, outLn, 0, w, p.wte, null, 0, nOut, c, v);
    }

    /**
     * Row r's heads attend over its sequence's cached keys and values, positions 0..rowPos[r]: two
     * sgemv calls per head (scores = K q, y = V^T p) on the cache in place.
     */
    private void attend(int l, int r, int nh, int hs, int c, float scale) {
        int base = cacheOffset(l, rowSlot[r], 0), len = rowPos[r] + 1;
        for (int h = 0; h < nh; h++) {
            Blas.gemv(false, len, hs, scale, kCache.at(0, base + h * hs), c, qkv.at(0, r * 3 * c + h * hs), 0f,
                    scores.at(0, 0));
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) max = Math.max(max, scores.get(j));
            float sum = 0;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(scores.get(j) - max);
                scores.set(j, e);
                sum += e;
            }
            Kernels.scale(scores.bb, 0, len, 1f / sum);
            Blas.gemv(true, len, hs, 1f, vCache.at(0, base + h * hs), c, scores.at(1, 0), 0f,
                    atty.at(0, r * c + h * hs));
        }
    }

    private int cacheOffset(int layer, int slot, int pos) {
        return ((layer * slots + slot) * cfg.blockSize() + pos) * cfg.nEmbd();
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) throw new IllegalArgumentException("slot " + slot + " outside [0, " + slots + ")");
    }

    private void checkRoom(int slot, int n) {
        if (lengths[slot] + n > cfg.blockSize()) {
            throw new IllegalStateException("sequence in slot " + slot + " would reach " + (lengths[slot] + n)
                    + " tokens, past the context of " + cfg.blockSize() + "; reset it or start from a shorter window");
        }
    }
}
