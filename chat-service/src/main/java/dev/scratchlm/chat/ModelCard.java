package dev.scratchlm.chat;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.TensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a model is, for people: its size (parameters per layer, as the weights and biases that make it up), its
 * architecture, the tokenizer and how it splits numbers, what data it saw and when that data ends (its knowledge
 * cutoff), how well it learned (losses), and its lineage back to parent checkpoints and data.
 */
final class ModelCard {
    private ModelCard() {}

    static Map<String, Object> of(LoadedModel m, Function<String, CheckpointManifest> manifests) {
        CheckpointManifest man = m.manifest;
        GptConfig c = m.config;
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", m.id);
        card.put("stage", man.stage());
        card.put("step", man.step());
        card.put("createdAt", man.createdAt());
        card.put("chat", m.template != null);
        card.put("mode", "pretrain".equals(man.stage())
                ? "base model: pre-trained to continue text, never taught the chat format; use completion mode"
                : "chat model: fine-tuned on conversations in the chat format");

        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("type", "GPT-2-style decoder: learned positions, pre-LayerNorm blocks, causal self-attention, GELU MLP, tied embeddings");
        arch.put("layers", c.nLayer());
        arch.put("heads", c.nHead());
        arch.put("width", c.nEmbd());
        arch.put("headSize", c.headSize());
        arch.put("context", c.blockSize());
        arch.put("vocab", c.vocabSize());
        card.put("architecture", arch);

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("total", m.parameterCount);
        params.put("perLayer", perLayer(m.tensors));
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (TensorInfo t : m.tensors) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("shape", Arrays.stream(t.shape()).boxed().toList());
            e.put("count", t.count());
            tensors.add(e);
        }
        params.put("tensors", tensors);
        card.put("parameters", params);

        TokenizerRecord tr = m.tokenizerRecord;
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("id", tr.id());
        tok.put("vocabSize", m.tokenizer.vocabSize());
        tok.put("pattern", m.tokenizer.patternName());
        tok.put("numberPolicy", m.tokenizer.numberPolicy().id());
        tok.put("numberPolicyMeaning", switch (m.tokenizer.numberPolicy()) {
            case GPT2 -> "a run of digits is one piece, so numbers merge into arbitrary chunks";
            case GROUPS_OF_3 -> "digits are split into groups of up to three";
            case SINGLE -> "every digit is its own token";
        });
        tok.put("specialTokens", m.tokenizer.specialTokens());
        if (tr.training() != null) tok.put("training", tr.training());
        card.put("tokenizer", tok);

        Map<String, Object> lineage = man.lineage() == null ? Map.of() : man.lineage();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("knowledgeCutoff", lineage.get("knowledgeCutoff"));
        data.put("documents", lineage.get("documents"));
        data.put("tokens", lineage.get("tokens"));
        // A job restricted to documents up to a date: the requested cutoff and what it left in.
        for (String k : List.of("cutoff", "selectedDocuments", "selectedTokens", "newestTrainedDate", "undatedDocumentsExcluded")) {
            if (lineage.get(k) != null) data.put(k, lineage.get(k));
        }
        // The trainer states the count; the shard list itself may be left out of a large lineage.
        Object shards = lineage.get("shardCount");
        if (shards == null && lineage.get("shards") instanceof Map<?, ?> listed) shards = listed.size();
        data.put("shards", shards);
        card.put("data", data);

        Map<String, Object> metrics = man.metrics() == null ? Map.of() : man.metrics();
        card.put("metrics", metrics);

        Map<String, Object> lin = new LinkedHashMap<>();
        lin.put("tokenizerId", man.tokenizerId());
        lin.put("parents", parents(man, manifests));
        lin.put("details", lineage);
        card.put("lineage", lin);
        return card;
    }

    /** Parameters grouped the way the model is drawn: embeddings, each block, the final LayerNorm. */
    static List<Map<String, Object>> perLayer(List<TensorInfo> tensors) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            String n = t.name();
            String group;
            if (n.startsWith("h.")) group = "block " + n.substring(2, n.indexOf('.', 2));
            else if (n.startsWith("wte") || n.startsWith("wpe")) group = "embeddings (" + n + ")";
            else group = n.replaceAll("\\.(weight|bias)$", "");
            groups.merge(group, t.count(), Long::sum);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        groups.forEach((name, count) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("count", count);
            out.add(e);
        });
        return out;
    }

    /** The chain of parent checkpoints, as far as this service has seen them (cycles cut). */
    private static List<Map<String, Object>> parents(CheckpointManifest man, Function<String, CheckpointManifest> manifests) {
        List<Map<String, Object>> chain = new ArrayList<>();
        String parent = man.parentId();
        while (parent != null && chain.size() < 32) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", parent);
            CheckpointManifest p = manifests.apply(parent);
            if (p == null) {
                e.put("known", false);
                chain.add(e);
                break;
            }
            e.put("stage", p.stage());
            e.put("step", p.step());
            e.put("tokenizerId", p.tokenizerId());
            chain.add(e);
            parent = p.parentId();
        }
        return chain;
    }
}
