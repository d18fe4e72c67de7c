package dev.scratchlm.labs.arithmetic;

import dev.scratchlm.bpe.Piece;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.labs.arithmetic.AdditionProblems.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * Problems as token ids for one tokenizer and answer form: the prompt {@code "a + b ="} and the answer
 * {@code " c"} are encoded apart (so the answer never shares a token with the prompt) and the answer ends with the
 * end token. Training counts the loss on the answer tokens and the end token only.
 */
public final class AdditionTokens {
    private final Tokenizer tokenizer;
    private final boolean reversed;
    private final int end;

    public AdditionTokens(Tokenizer tokenizer, boolean reversed, int endToken) {
        this.tokenizer = tokenizer;
        this.reversed = reversed;
        this.end = endToken;
    }

    public boolean reversed() {
        return reversed;
    }

    public int endToken() {
        return end;
    }

    public int[] prompt(Problem p) {
        return tokenizer.encodeOrdinary(p.prompt());
    }

    /** The answer as the model should write it: a space, the digits, the end token. */
    public int[] answer(Problem p) {
        int[] a = tokenizer.encodeOrdinary(" " + p.answer(reversed));
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = end;
        return out;
    }

    /** Prompt then answer, one training example. */
    public int[] example(Problem p) {
        int[] q = prompt(p), a = answer(p);
        int[] out = java.util.Arrays.copyOf(q, q.length + a.length);
        System.arraycopy(a, 0, out, q.length, a.length);
        return out;
    }

    /** Loss mask of {@link #example}: the answer's tokens and the end token. */
    public boolean[] mask(Problem p) {
        int q = prompt(p).length, n = q + answer(p).length;
        boolean[] m = new boolean[n];
        for (int i = q; i < n; i++) m[i] = true;
        return m;
    }

    /** The pieces the model sees for a problem, prompt then answer (end token left out). */
    public List<String> pieces(Problem p) {
        List<String> out = new ArrayList<>();
        for (Piece piece : tokenizer.pieces(p.prompt(), false)) out.add(piece.text());
        for (Piece piece : tokenizer.pieces(" " + p.answer(reversed), false)) out.add(piece.text());
        return out;
    }

    /** Text of generated answer tokens (stops at the end token). */
    public String decode(int[] ids, int n) {
        int k = 0;
        while (k < n && ids[k] != end) k++;
        return tokenizer.decodeToString(java.util.Arrays.copyOf(ids, k));
    }
}
