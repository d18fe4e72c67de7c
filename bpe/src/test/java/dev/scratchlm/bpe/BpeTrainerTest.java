package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    /**
     * The textbook algorithm (minbpe style): recount every pair of every word after each merge. Slow,
     * obviously right, and must agree merge for merge with the incremental trainer.
     */
    static int[] naiveMerges(List<String> docs, SplitPattern pattern, int merges, long minFrequency) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String d : docs) {
            Matcher m = pattern.compile().matcher(d);
            while (m.find()) {
                counts.merge(m.group(), 1L, Long::sum);
            }
        }
        List<int[]> words = new ArrayList<>();
        List<Long> freq = new ArrayList<>();
        counts.forEach((w, c) -> {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            int[] s = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                s[i] = b[i] & 0xFF;
            }
            words.add(s);
            freq.add(c);
        });
        List<byte[]> tokens = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
            seen.add(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
        }
        Set<Long> refused = new HashSet<>();
        List<Integer> parents = new ArrayList<>();
        while (parents.size() / 2 < merges) {
            Map<Long, Long> pairs = new LinkedHashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                for (int i = 0; i + 1 < s.length; i++) {
                    pairs.merge(((long) s[i] << 32) | s[i + 1], freq.get(w), Long::sum);
                }
            }
            long best = -1;
            long bestCount = 0;
            for (Map.Entry<Long, Long> e : pairs.entrySet()) {
                if (refused.contains(e.getKey())) {
                    continue;
                }
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best < 0 || bestCount < minFrequency) {
                break;
            }
            int a = (int) (best >>> 32);
            int b = (int) best;
            byte[] t = new byte[tokens.get(a).length + tokens.get(b).length];
            System.arraycopy(tokens.get(a), 0, t, 0, tokens.get(a).length);
            System.arraycopy(tokens.get(b), 0, t, tokens.get(a).length, tokens.get(b).length);
            if (!seen.add(new String(t, StandardCharsets.ISO_8859_1))) {
                refused.add(best);
                continue;
            }
            int c = tokens.size();
            tokens.add(t);
            parents.add(a);
            parents.add(b);
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                int[] out = new int[s.length];
                int n = 0;
                for (int i = 0; i < s.length; i++) {
                    if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                        out[n++] = c;
                        i++;
                    } else {
                        out[n++] = s[i];
                    }
                }
                words.set(w, java.util.Arrays.copyOf(out, n));
            }
        }
        return parents.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void agreesWithTheTextbookAlgorithm() {
        List<String> docs = new ArrayList<>(Corpora.europarl().subList(0, 40));
        docs.add(
                "aaaaaaa abababab aaa ababab 1111111 ''''"); // overlapping pairs: the tricky part of incremental counts
        for (SplitPattern p : new SplitPattern[] {SplitPattern.CL100K, SplitPattern.R50K}) {
            BpeTrainer.Config config = new BpeTrainer.Config(256 + 300, p, List.of(), 2);
            Tokenizer t = BpeTrainer.train(docs, config);
            assertArrayEquals(naiveMerges(docs, p, 300, 2), t.mergeParents(), "merges differ for " + p);
        }
    }

    @Test
    void trainingTwiceGivesIdenticalMerges() {
        List<String> docs = Corpora.europarl().subList(0, 800);
        BpeTrainer.Config config = BpeTrainer.Config.of(2000, NumberPolicy.GROUPS_OF_3);
        Tokenizer a = BpeTrainer.train(docs, config);
        Tokenizer b = BpeTrainer.train(docs, config);
        assertEquals(ScratchFormat.toText(a), ScratchFormat.toText(b));
        assertEquals(a.id(), b.id());
        assertEquals(2000, a.vocabSize());
    }

    @Test
    void specialTokensComeAfterTheMergesAndNeverFromText() {
        List<String> docs = List.of("<|endoftext|> hello hello hello <|user|>", "hello world <|end|>");
        Tokenizer t =
                BpeTrainer.train(docs, new BpeTrainer.Config(300, SplitPattern.CL100K, ChatTemplate.SPECIAL_TOKENS, 1));
        int merges = t.mergeableCount() - 256;
        assertTrue(merges > 0 && merges <= 300 - 256 - 5);
        int id = t.mergeableCount();
        for (String s : ChatTemplate.SPECIAL_TOKENS) {
            assertEquals(id++, t.specialId(s));
        }
        assertEquals(t.mergeableCount() + 5, t.vocabSize());
    }

    @Test
    void minimumFrequencyStopsEarly() {
        List<String> docs = List.of("the cat sat on the mat", "the dog");
        Tokenizer none = BpeTrainer.train(docs, new BpeTrainer.Config(1000, SplitPattern.CL100K, List.of(), 100));
        assertEquals(256, none.mergeableCount());
        Tokenizer some = BpeTrainer.train(docs, new BpeTrainer.Config(1000, SplitPattern.CL100K, List.of(), 3));
        // only " the"'s pairs occur 3 times: "th" (3), "he" (3); " t" occurs 3 times too ("the", " the"..)
        assertTrue(some.mergeableCount() > 256 && some.mergeableCount() < 262, "got " + some.mergeableCount());
    }

    /** The number policy decides which digit strings can ever become tokens. */
    @Test
    void numberPolicyShapesTheVocabulary() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            docs.add("In 1234567 there were 89012 votes and 345 more in 2024.");
        }
        BpeTrainer.Config base = BpeTrainer.Config.of(600, NumberPolicy.GPT2);
        for (NumberPolicy policy : NumberPolicy.values()) {
            Tokenizer t = BpeTrainer.train(
                    docs, new BpeTrainer.Config(600, SplitPattern.forNumberPolicy(policy), base.specialTokens(), 2));
            assertEquals(policy, t.numberPolicy());
            int longestDigits = 0;
            for (int id = 0; id < t.mergeableCount(); id++) {
                String s = new String(t.tokenBytes(id), StandardCharsets.UTF_8);
                int digits = (int) s.chars().filter(Character::isDigit).count();
                longestDigits = Math.max(longestDigits, digits);
                if (policy != NumberPolicy.GPT2 && digits > 0) {
                    assertEquals(digits, s.length(), "digits never share a token with other text: '" + s + "'");
                }
            }
            switch (policy) {
                case GPT2 -> assertEquals(7, longestDigits);
                case GROUPS_OF_3 -> assertEquals(3, longestDigits);
                case SINGLE -> assertEquals(1, longestDigits);
            }
        }
    }

    @Test
    void acceptsAStreamOfDocuments() {
        BpeTrainer trainer = new BpeTrainer(BpeTrainer.Config.of(400, NumberPolicy.SINGLE));
        for (String d : Corpora.europarl().subList(0, 50)) {
            trainer.addDocument(new StringBuilder(d)); // any CharSequence
        }
        Tokenizer t = trainer.train();
        assertEquals(400, t.vocabSize());
        assertEquals(50, trainer.stats().documents());
        assertThrows(IllegalStateException.class, trainer::train);
    }

    @Test
    void badConfigIsRejectedClearly() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new BpeTrainer.Config(100, SplitPattern.CL100K, List.of(), 2));
        assertTrue(e.getMessage().contains("256"));
        assertThrows(
                IllegalArgumentException.class, () -> new BpeTrainer.Config(300, SplitPattern.CL100K, List.of(), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new BpeTrainer.Config(300, SplitPattern.CL100K, List.of("<|a|>", "<|a|>"), 2));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Config(300, null, List.of(), 2));
    }

    @Test
    void frequentWordsBecomeSingleTokens() {
        Tokenizer t = BpeTrainer.train(
                Corpora.europarl().subList(0, 2000), BpeTrainer.Config.of(3000, NumberPolicy.GROUPS_OF_3));
        assertEquals(1, t.encodeOrdinary(" the").length);
        assertEquals(1, t.encodeOrdinary(" Commission").length);
        assertFalse(t.encodeOrdinary(" Qzxv").length < 3);
    }
}
