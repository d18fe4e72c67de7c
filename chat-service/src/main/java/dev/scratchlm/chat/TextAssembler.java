package dev.scratchlm.chat;

import dev.scratchlm.bpe.StreamDecoder;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.gpt.TokenChoice;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns sampled tokens into what a client sees: whole characters (never half of a UTF-8 sequence), cut at the
 * first stop sequence, and, when asked for, each token's log-probability, handed out with the text it produced.
 */
final class TextAssembler {
    private final Tokenizer tokenizer;
    private final StreamDecoder decoder;
    private final StopSequences stops;
    private final boolean logprobs;
    private final StringBuilder all = new StringBuilder();
    private final StringBuilder released = new StringBuilder();
    // Tokens whose text is not (wholly) released yet, with the offset in `decoded` where their text ends.
    private final List<TokenLogprob> pending = new ArrayList<>();
    private final List<Integer> pendingEnds = new ArrayList<>();
    private final List<TokenLogprob> ready = new ArrayList<>();
    private static final int UNFINISHED = Integer.MAX_VALUE;
    private int decodedChars, releasedChars, pendingStart;

    TextAssembler(Tokenizer tokenizer, List<String> stop, boolean logprobs) {
        this.tokenizer = tokenizer;
        this.decoder = tokenizer.streamDecoder();
        this.stops = new StopSequences(stop);
        this.logprobs = logprobs;
    }

    /** Adds one token; returns false once a stop sequence has ended the answer. */
    boolean push(TokenChoice choice) {
        String text = decoder.push(choice.token());
        decodedChars += text.length();
        if (logprobs) {
            // A token holding part of a character ends where that character is finally shown.
            if (!text.isEmpty()) pendingEnds.replaceAll(e -> e == UNFINISHED ? decodedChars : e);
            pending.add(entry(choice.token(), choice.logprob(), choice));
            pendingEnds.add(decoder.pendingBytes() > 0 ? UNFINISHED : decodedChars);
        }
        release(stops.push(text));
        return !stops.stopped();
    }

    /** The answer is over: flush held-back text (unless a stop sequence cut it) and any unfinished character. */
    void finish() {
        if (!stops.stopped()) release(stops.push(decoder.finish()) + stops.finish());
        if (!stops.stopped() && logprobs) {
            ready.addAll(pending);
            pending.clear();
            pendingEnds.clear();
        }
    }

    /** Text released since the last call. */
    String takeText() {
        if (released.isEmpty()) return "";
        String s = released.toString();
        released.setLength(0);
        return s;
    }

    /** Log-probabilities of the tokens whose text was released since the last call. */
    List<TokenLogprob> takeLogprobs() {
        if (ready.isEmpty()) return List.of();
        List<TokenLogprob> out = List.copyOf(ready);
        ready.clear();
        return out;
    }

    boolean hasOutput() {
        return !released.isEmpty() || !ready.isEmpty();
    }

    /** All text released so far. */
    String text() {
        return all.toString();
    }

    private void release(String text) {
        if (!text.isEmpty()) {
            released.append(text);
            all.append(text);
            releasedChars += text.length();
        }
        if (!logprobs) return;
        // A token goes out with the chunk that shows the end of its text; after a stop sequence, only tokens whose
        // text starts before the cut (the stop sequence's own tokens are not shown).
        int i = 0, start = pendingStart;
        while (i < pending.size()) {
            int end = pendingEnds.get(i);
            if (stops.stopped() ? start >= releasedChars : end > releasedChars) break;
            start = end;
            i++;
        }
        ready.addAll(pending.subList(0, i));
        pending.subList(0, i).clear();
        pendingEnds.subList(0, i).clear();
        pendingStart = start;
        if (stops.stopped()) {
            pending.clear();
            pendingEnds.clear();
        }
    }

    private TokenLogprob entry(int id, float logprob, TokenChoice choice) {
        List<TokenLogprob> top = new ArrayList<>(choice.alternatives().size());
        for (TokenChoice.Alternative a : choice.alternatives()) top.add(single(a.token(), a.logprob()));
        TokenLogprob self = single(id, logprob);
        return new TokenLogprob(self.token(), logprob, self.bytes(), top);
    }

    private TokenLogprob single(int id, float logprob) {
        byte[] b = id < tokenizer.vocabSize() ? tokenizer.tokenBytes(id) : new byte[0];
        return new TokenLogprob(new String(b, StandardCharsets.UTF_8), logprob, b, List.of());
    }
}
