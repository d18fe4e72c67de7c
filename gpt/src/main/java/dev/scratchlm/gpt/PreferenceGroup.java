package dev.scratchlm.gpt;

import java.util.ArrayList;
import java.util.List;

/**
 * The ranked candidates of one prompt and every ordered pair among them. A group is the unit of a preference
 * batch: all its pairs go into the same batch, each candidate is run once however many pairs it is in (InstructGPT
 * trains on all K-choose-2 comparisons of a prompt together; shuffling the pairs of one prompt apart overfits).
 */
public final class PreferenceGroup {

    /**
     * One candidate as the chat template renders it: the whole conversation with this answer, and the template's
     * loss mask (true on the answer's tokens and its closing end token, which must be the last token).
     */
    public record Candidate(int[] ids, boolean[] answerMask) {
        public Candidate {
            if (ids == null || answerMask == null || ids.length != answerMask.length) {
                throw new IllegalArgumentException("a candidate needs ids and a loss mask of the same length");
            }
            if (ids.length < 2 || !answerMask[ids.length - 1]) {
                throw new IllegalArgumentException(
                        "a candidate must end with its answer's closing end token (masked in)");
            }
        }

        /** Tokens the reward model reads (the whole sequence; the score sits on the last). */
        public int rewardLength() {
            return ids.length;
        }

        /** Positions the language model is run on to score the answer (every token but the last is an input). */
        public int logProbLength() {
            return ids.length - 1;
        }

        /** Answer tokens scored (content plus the closing end token). */
        public int answerTokens() {
            int n = 0;
            for (int i = 1; i < answerMask.length; i++) if (answerMask[i]) n++;
            return n;
        }
    }

    private final List<Candidate> candidates;
    private final int[] better, worse;
    /** DPO: the frozen reference model's summed log-probability of each candidate, computed once. */
    float[] reference;

    /** @param better,worse candidate indexes of each pair: better[p] is preferred to worse[p] */
    public PreferenceGroup(List<Candidate> candidates, int[] better, int[] worse) {
        if (better.length != worse.length) throw new IllegalArgumentException("better and worse differ in length");
        for (int p = 0; p < better.length; p++) {
            if (better[p] < 0
                    || better[p] >= candidates.size()
                    || worse[p] < 0
                    || worse[p] >= candidates.size()
                    || better[p] == worse[p]) {
                throw new IllegalArgumentException("pair " + p + " (" + better[p] + ", " + worse[p]
                        + ") is not two of the " + candidates.size() + " candidates");
            }
        }
        this.candidates = List.copyOf(candidates);
        this.better = better.clone();
        this.worse = worse.clone();
    }

    /**
     * All ordered pairs of a ranking: {@code order} lists tied groups of candidate indexes, best first; every
     * candidate of an earlier group is preferred to every one of a later group; ties give no pair, and candidates in
     * no group (not ranked) are left out. Null when the ranking yields no pair.
     */
    public static PreferenceGroup fromOrder(List<Candidate> candidates, List<List<Integer>> order) {
        List<Candidate> kept = new ArrayList<>();
        List<List<Integer>> groups = new ArrayList<>();
        java.util.Map<Integer, Integer> index = new java.util.HashMap<>();
        for (List<Integer> tied : order) {
            List<Integer> g = new ArrayList<>();
            for (Integer c : tied) {
                if (c == null || c < 0 || c >= candidates.size()) {
                    throw new IllegalArgumentException("ranking names candidate " + c + " of " + candidates.size());
                }
                if (index.containsKey(c)) throw new IllegalArgumentException("ranking names candidate " + c + " twice");
                index.put(c, kept.size());
                kept.add(candidates.get(c));
                g.add(index.get(c));
            }
            groups.add(g);
        }
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            for (int j = i + 1; j < groups.size(); j++) {
                for (int b : groups.get(i)) for (int w : groups.get(j)) pairs.add(new int[] {b, w});
            }
        }
        if (pairs.isEmpty()) return null;
        int[] better = new int[pairs.size()], worse = new int[pairs.size()];
        for (int p = 0; p < pairs.size(); p++) {
            better[p] = pairs.get(p)[0];
            worse[p] = pairs.get(p)[1];
        }
        return new PreferenceGroup(kept, better, worse);
    }

    public List<Candidate> candidates() {
        return candidates;
    }

    public int pairCount() {
        return better.length;
    }

    /** Candidate index of pair p's preferred answer. */
    public int better(int p) {
        return better[p];
    }

    public int worse(int p) {
        return worse[p];
    }

    /** Whether the reference log-probabilities are cached ({@link PreferenceTrainer#cacheReference}). */
    public boolean hasReference() {
        return reference != null;
    }
}
