package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.gpt.BatchDecoder;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.PreferenceGroup;
import dev.scratchlm.gpt.PreferenceTrainer;
import dev.scratchlm.gpt.Sampler;
import dev.scratchlm.instruct.Bleu;
import dev.scratchlm.instruct.E2e;
import dev.scratchlm.instruct.SlotError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generation metrics on held-out E2E meaning representations: each MR asked in the MR prompt form, the answer scored
 * by corpus BLEU-4 against every reference of the MR and by slot error. The answer is greedy, or the best of n sampled
 * answers under a reward model. What an sft job reports at its checkpoints and what
 * {@code POST /api/checkpoints/{id}/evaluate/e2e} measures for any checkpoint.
 */
final class E2eEvaluation {
    /** MRs in order, and per MR every reference (the assistant texts of its group). */
    record HeldOut(List<String> mrs, List<List<String>> refs) {
        int size() {
            return mrs.size();
        }
    }

    /** n answers sampled per MR with these settings and seed, the one the reward model scores highest kept. */
    record BestOf(int n, Gpt rewardModel, Sampler.Settings sampling, long seed) {}

    /**
     * @param outputs  the answer scored per MR
     * @param sampled  with best-of-n: the first of the n samples per MR (what sampling alone gives), else null
     * @param rewards  with best-of-n: the reward of each kept answer, else null
     */
    record Result(
            List<String> outputs,
            double bleu,
            double slotError,
            List<String> sampled,
            Double sampledBleu,
            Double sampledSlotError,
            float[] rewards) {}

    private E2eEvaluation() {}

    /** The E2E MRs of {@code examples} (grouped by MR, in MR order) with their references, leaving out {@code exclude}. */
    static HeldOut heldout(List<InstructionExample> examples, Set<String> exclude, int limit) {
        Map<String, List<String>> refs = new TreeMap<>();
        for (InstructionExample e : examples) {
            if (!SftData.E2E.equals(e.format()) || e.group() == null || exclude.contains(e.group())) continue;
            String answer = SftData.lastAssistant(e);
            List<String> r = refs.computeIfAbsent(e.group(), k -> new ArrayList<>());
            if (answer != null && !r.contains(answer)) r.add(answer); // the prompt forms repeat each reference
        }
        List<String> mrs = new ArrayList<>();
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : refs.entrySet()) {
            if (mrs.size() >= limit) break;
            mrs.add(e.getKey());
            out.add(e.getValue());
        }
        return new HeldOut(mrs, out);
    }

    /**
     * The MRs that {@code prompts} ask about: a prompt is an E2E example's conversation up to its last user turn, in
     * any of the prompt forms. Prompts that match no example are not counted.
     */
    static Set<String> mrsAskedIn(List<List<ChatMessage>> prompts, List<InstructionExample> examples) {
        Map<List<ChatMessage>, String> byPrompt = new HashMap<>();
        for (InstructionExample e : examples) {
            if (!SftData.E2E.equals(e.format()) || e.group() == null) continue;
            List<ChatMessage> m = e.messages();
            int last = m.size() - 1;
            while (last >= 0 && m.get(last).role() != ChatMessage.Role.USER) last--;
            if (last >= 0) byPrompt.putIfAbsent(List.copyOf(m.subList(0, last + 1)), e.group());
        }
        Set<String> out = new HashSet<>();
        for (List<ChatMessage> p : prompts) {
            String mr = byPrompt.get(p);
            if (mr != null) out.add(mr);
        }
        return out;
    }

    /** Greedy answers, or the best of n under the reward model when {@code bestOf} is given. */
    static Result run(Gpt policy, ChatTemplate template, HeldOut held, BestOf bestOf) {
        List<List<ChatMessage>> prompts = new ArrayList<>(held.size());
        for (String mr : held.mrs()) prompts.add(E2e.mrQuestion(mr));
        if (bestOf == null) {
            List<String> outputs = ChatAnswers.greedy(policy, template, prompts);
            return new Result(
                    outputs,
                    Bleu.corpus(outputs, held.refs()),
                    SlotError.rate(held.mrs(), outputs),
                    null,
                    null,
                    null,
                    null);
        }
        int n = bestOf.n();
        List<List<ChatMessage>> repeated = new ArrayList<>(prompts.size() * n);
        for (List<ChatMessage> p : prompts) for (int i = 0; i < n; i++) repeated.add(p);
        List<String> samples =
                ChatAnswers.answer(policy, template, repeated, new Sampler(bestOf.sampling(), bestOf.seed()));
        List<String> best = new ArrayList<>(), first = new ArrayList<>();
        float[] rewards = new float[held.size()];
        for (int q = 0; q < held.size(); q++) {
            List<String> answers = samples.subList(q * n, (q + 1) * n);
            float[] r = score(bestOf.rewardModel(), template, prompts.get(q), answers);
            int top = BatchDecoder.argmax(r);
            best.add(answers.get(top));
            first.add(answers.get(0));
            rewards[q] = r[top];
        }
        return new Result(
                best,
                Bleu.corpus(best, held.refs()),
                SlotError.rate(held.mrs(), best),
                first,
                Bleu.corpus(first, held.refs()),
                SlotError.rate(held.mrs(), first),
                rewards);
    }

    /** Per slot, how often the outputs missed it, got it wrong or added it: where the slot error comes from. */
    static Map<String, Map<String, Integer>> errorsBySlot(List<String> mrs, List<String> outputs) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        for (int i = 0; i < mrs.size(); i++) {
            SlotError.Check c = SlotError.check(mrs.get(i), outputs.get(i));
            for (String slot : E2e.parse(mrs.get(i)).keySet())
                out.computeIfAbsent(slot, k -> counts()).merge("slots", 1, Integer::sum);
            for (String slot : c.missed())
                out.computeIfAbsent(slot, k -> counts()).merge("missed", 1, Integer::sum);
            for (String slot : c.wrong())
                out.computeIfAbsent(slot, k -> counts()).merge("wrong", 1, Integer::sum);
            for (String slot : c.added())
                out.computeIfAbsent(slot, k -> counts()).merge("added", 1, Integer::sum);
        }
        return out;
    }

    private static Map<String, Integer> counts() {
        return new java.util.LinkedHashMap<>(Map.of("slots", 0, "missed", 0, "wrong", 0, "added", 0));
    }

    /** Each answer's reward after the prompt; an answer that does not fit the reward model's context gets -inf. */
    static float[] score(Gpt rewardModel, ChatTemplate template, List<ChatMessage> prompt, List<String> answers) {
        float[] out = new float[answers.size()];
        List<PreferenceGroup.Candidate> fit = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            ChatTemplate.Rendered r = template.renderReply(prompt, answers.get(i));
            if (r.ids().length > rewardModel.config().blockSize()) {
                out[i] = Float.NEGATIVE_INFINITY;
            } else {
                fit.add(new PreferenceGroup.Candidate(r.ids(), r.lossMask()));
                at.add(i);
            }
        }
        if (!fit.isEmpty()) {
            float[] s = PreferenceTrainer.score(rewardModel, fit);
            for (int j = 0; j < s.length; j++) out[at.get(j)] = s[j];
        }
        return out;
    }
}
