package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.gpt.PreferenceGroup;
import dev.scratchlm.gpt.Rng;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rankings turned into what the reward and DPO stages train on: each ranking of the selected campaigns and sources
 * becomes one {@link PreferenceGroup} (its candidates rendered with the chat template after the ranking's prompt;
 * all ordered pairs, ties skipped), and whole tasks are held out (every ranking of a held-out task, whoever rated it),
 * so no held-out prompt is ever trained on.
 */
final class PreferenceData {

    /** Train and held-out groups, and the counts that go on the job and its checkpoints. */
    record Split(List<PreferenceGroup> train, List<PreferenceGroup> heldOut, Map<String, Object> counts) {
        int trainPairs() {
            return train.stream().mapToInt(PreferenceGroup::pairCount).sum();
        }

        int heldOutPairs() {
            return heldOut.stream().mapToInt(PreferenceGroup::pairCount).sum();
        }

        int maxCandidates() {
            int k = 1;
            for (PreferenceGroup g : train) k = Math.max(k, g.candidates().size());
            for (PreferenceGroup g : heldOut) k = Math.max(k, g.candidates().size());
            return k;
        }

        long answerTokens(List<PreferenceGroup> groups) {
            long n = 0;
            for (PreferenceGroup g : groups) for (PreferenceGroup.Candidate c : g.candidates()) n += c.answerTokens();
            return n;
        }
    }

    private PreferenceData() {}

    /** Whether a ranking is in the selection (null campaigns: every campaign). */
    static boolean selected(Ranking r, List<String> campaigns, List<String> sources) {
        return (campaigns == null || campaigns.contains(r.campaignId())) && sources.contains(r.source());
    }

    /**
     * @param blockSize the model's context: a candidate that does not fit is left out of its ranking (counted)
     * @param reward    the reward model reads whole sequences; DPO one token fewer (inputs of next-token targets)
     * @param heldOut   fraction of tasks held out (at least one when there are two or more)
     */
    static Split build(List<Ranking> rankings, ChatTemplate template, int blockSize, boolean reward, double heldOut) {
        Set<String> tasks = new TreeSet<>();
        for (Ranking r : rankings) tasks.add(r.taskId());
        List<String> byHash = new ArrayList<>(tasks);
        byHash.sort(Comparator.comparing(PreferenceData::sha256));
        int nHeld = tasks.size() < 2 ? 0 : Math.max(1, (int) Math.round(heldOut * tasks.size()));
        Set<String> held = new TreeSet<>(byHash.subList(0, Math.min(nHeld, byHash.size())));

        List<PreferenceGroup> train = new ArrayList<>(), test = new ArrayList<>();
        int tooLong = 0, noPairs = 0, bad = 0;
        for (Ranking r : rankings) {
            List<PreferenceGroup.Candidate> cs = new ArrayList<>();
            List<Integer> fits = new ArrayList<>();
            try {
                for (int i = 0; i < r.candidates().size(); i++) {
                    ChatTemplate.Rendered rendered =
                            template.renderReply(r.prompt(), r.candidates().get(i));
                    PreferenceGroup.Candidate c = new PreferenceGroup.Candidate(rendered.ids(), rendered.lossMask());
                    cs.add(c);
                    if ((reward ? c.rewardLength() : c.logProbLength()) <= blockSize) fits.add(i);
                    else tooLong++;
                }
                // Candidates that do not fit leave the order; the rest keep their relative ranks.
                List<List<Integer>> order = new ArrayList<>();
                for (List<Integer> tied : r.order()) {
                    List<Integer> kept = tied.stream().filter(fits::contains).toList();
                    if (!kept.isEmpty()) order.add(kept);
                }
                PreferenceGroup g = PreferenceGroup.fromOrder(cs, order);
                if (g == null) {
                    noPairs++;
                    continue;
                }
                (held.contains(r.taskId()) ? test : train).add(g);
            } catch (IllegalArgumentException e) {
                bad++; // an order naming a candidate that does not exist, an empty prompt, ...
            }
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("rankings", rankings.size());
        counts.put("tasks", tasks.size());
        counts.put("heldOutTasks", held.size());
        counts.put("trainRankings", train.size());
        counts.put("heldOutRankings", test.size());
        counts.put(
                "trainPairs",
                train.stream().mapToInt(PreferenceGroup::pairCount).sum());
        counts.put(
                "heldOutPairs",
                test.stream().mapToInt(PreferenceGroup::pairCount).sum());
        counts.put("candidatesTooLong", tooLong);
        counts.put("rankingsWithoutPairs", noPairs);
        counts.put("rankingsUnusable", bad);
        return new Split(train, test, counts);
    }

    /** The groups of optimizer step {@code step} (0-based): a fresh shuffle of the training groups every epoch. */
    static List<PreferenceGroup> batch(List<PreferenceGroup> train, int groupsPerStep, long step, long seed) {
        List<PreferenceGroup> out = new ArrayList<>(groupsPerStep);
        int n = train.size();
        int[] perm = null;
        long permEpoch = -1;
        for (int j = 0; j < groupsPerStep; j++) {
            long i = step * groupsPerStep + j;
            long epoch = i / n;
            if (epoch != permEpoch) {
                perm = permutation(n, seed + 31 * epoch);
                permEpoch = epoch;
            }
            out.add(train.get(perm[(int) (i % n)]));
        }
        return out;
    }

    private static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Rng rng = new Rng(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
