package dev.scratchlm.gpt;

/**
 * Shape of a GPT-2-style model. JSON-friendly (a plain record: Jackson reads and writes it as is).
 *
 * @param vocabSize tokens in the vocabulary (rows of wte)
 * @param blockSize maximum context length (rows of wpe)
 * @param nLayer    transformer blocks
 * @param nHead     attention heads per block; must divide nEmbd
 * @param nEmbd     model width C
 * @param dropout   dropout probability in training (embeddings, attention probabilities, residual branches)
 * @param rewardHead a reward model: one more tensor, {@code reward_head} (1, C) plus its bias, reading the final
 *                   hidden state of a sequence's last token (absent from older checkpoints' JSON: false)
 */
public record GptConfig(
        int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, float dropout, boolean rewardHead) {

    public GptConfig {
        require(vocabSize > 0, "vocabSize must be > 0, got " + vocabSize);
        require(blockSize > 0, "blockSize must be > 0, got " + blockSize);
        require(nLayer > 0, "nLayer must be > 0, got " + nLayer);
        require(nHead > 0, "nHead must be > 0, got " + nHead);
        require(
                nEmbd > 0 && nEmbd % nHead == 0,
                "nEmbd must be a positive multiple of nHead, got nEmbd=" + nEmbd + " nHead=" + nHead);
        require(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got " + dropout);
    }

    /** A language model (no reward head). */
    public GptConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, float dropout) {
        this(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, false);
    }

    /** The same transformer with a reward head on top (or without it). */
    public GptConfig withRewardHead(boolean on) {
        return new GptConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, on);
    }

    /** nanoGPT's CPU "baby" shakespeare_char model: 4 layers, 4 heads, width 128, context 64, no dropout. */
    public static GptConfig baby(int vocabSize) {
        return new GptConfig(vocabSize, 64, 4, 4, 128, 0f);
    }

    /** Width of one attention head. */
    public int headSize() {
        return nEmbd / nHead;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
