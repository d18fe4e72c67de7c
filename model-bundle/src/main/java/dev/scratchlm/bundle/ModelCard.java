package dev.scratchlm.bundle;

import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a model is, for people, point by point what makes a model open: its training data sources and how they were
 * selected, its tokenization, its architecture (parameters per layer, as the weights and biases that make it up), its
 * training stages with their data, hyperparameters and metrics, the system prompt and safety measures it comes with,
 * its weights, and the licence of its data; with its lineage back to parent checkpoints. The chat shows it
 * ({@code /api/models/{id}/card}); an export writes it as {@code model-card.json} and {@code MODEL_CARD.md}.
 */
public final class ModelCard {
    public static final String JSON_FILE = "model-card.json";
    public static final String MARKDOWN_FILE = "MODEL_CARD.md";

    private ModelCard() {}

    /**
     * @param manifests  the manifests of other checkpoints by id (the parent chain), null when unknown
     * @param provenance the data's sources and selection read from the topics, or null (the card then says so)
     */
    public static Map<String, Object> of(
            CheckpointManifest man,
            Function<String, CheckpointManifest> manifests,
            GptConfig c,
            Tokenizer tokenizer,
            TokenizerRecord tr,
            Provenance provenance) {
        List<TensorInfo> tensorTable = Gpt.parameterTable(c);
        long parameterCount = tensorTable.stream().mapToLong(TensorInfo::count).sum();
        boolean chat = tokenizer.specialTokens().keySet().containsAll(dev.scratchlm.bpe.ChatTemplate.SPECIAL_TOKENS);
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", man.checkpointId());
        card.put("stage", man.stage());
        card.put("step", man.step());
        card.put("createdAt", man.createdAt() == null ? null : man.createdAt().toString());
        card.put("chat", chat);
        card.put(
                "mode",
                "pretrain".equals(man.stage())
                        ? "base model: pre-trained to continue text, never taught the chat format; use completion mode"
                        : "chat model: fine-tuned on conversations in the chat format");

        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put(
                "type",
                "GPT-2-style decoder: learned positions, pre-LayerNorm blocks, causal self-attention, GELU MLP, tied embeddings");
        arch.put("layers", c.nLayer());
        arch.put("heads", c.nHead());
        arch.put("width", c.nEmbd());
        arch.put("headSize", c.headSize());
        arch.put("context", c.blockSize());
        arch.put("vocab", c.vocabSize());
        card.put("architecture", arch);

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("total", parameterCount);
        params.put("perLayer", perLayer(tensorTable));
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (TensorInfo t : tensorTable) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("shape", Arrays.stream(t.shape()).boxed().toList());
            e.put("count", t.count());
            tensors.add(e);
        }
        params.put("tensors", tensors);
        card.put("parameters", params);

        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("id", tr.id());
        tok.put(
                "algorithm",
                "byte-level BPE (GPT-2 style): text is split by a regular expression, each piece's UTF-8 bytes are merged by learned ranks");
        tok.put("vocabSize", tokenizer.vocabSize());
        tok.put("pattern", tokenizer.patternName());
        tok.put("numberPolicy", tokenizer.numberPolicy().id());
        tok.put(
                "numberPolicyMeaning",
                switch (tokenizer.numberPolicy()) {
                    case GPT2 -> "a run of digits is one piece, so numbers merge into arbitrary chunks";
                    case GROUPS_OF_3 -> "digits are split into groups of up to three";
                    case SINGLE -> "every digit is its own token";
                });
        tok.put("specialTokens", tokenizer.specialTokens());
        if (tr.training() != null) {
            tok.put("training", tr.training());
            if (tr.training().get("validation") instanceof Map<?, ?> v && v.get("bytesPerToken") != null) {
                tok.put("bytesPerToken", v.get("bytesPerToken"));
            }
        }
        card.put("tokenizer", tok);

        Map<String, Object> lineage = man.lineage() == null ? Map.of() : man.lineage();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("knowledgeCutoff", lineage.get("knowledgeCutoff"));
        data.put("documents", lineage.get("documents"));
        data.put("tokens", lineage.get("tokens"));
        // A job restricted to documents up to a date: the requested cutoff and what it left in.
        for (String k : List.of(
                "cutoff", "selectedDocuments", "selectedTokens", "newestTrainedDate", "undatedDocumentsExcluded")) {
            if (lineage.get(k) != null) data.put(k, lineage.get(k));
        }
        // The trainer states the count; the shard list itself may be left out of a large lineage.
        Object shards = lineage.get("shardCount");
        if (shards == null && lineage.get("shards") instanceof Map<?, ?> listed) shards = listed.size();
        data.put("shards", shards);
        if (provenance != null) {
            List<Map<String, Object>> sources = new ArrayList<>();
            Set<String> licences = new TreeSet<>();
            provenance.sources().forEach((id, s) -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", id);
                e.putAll(s.asMap());
                sources.add(e);
                if (s.license != null) licences.add(s.license);
            });
            data.put("sources", sources);
            data.put("attribution", provenance.attribution());
            data.put("licenses", List.copyOf(licences));
        } else {
            data.put(
                    "sources", "not read: the export lists the sources, with their selection and rejections by filter");
        }
        card.put("data", data);

        Map<String, Object> metrics = man.metrics() == null ? Map.of() : man.metrics();
        card.put("metrics", metrics);
        card.put("training", stages(man, manifests));
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("default", null);
        system.put(
                "note",
                "the chat adds no system prompt of its own: a conversation has one only when the user writes it");
        card.put("systemPrompt", system);
        card.put(
                "safety",
                "none: no safety fine-tuning, no refusal training, no output filter. Its output is untrusted text,"
                        + " shown as text and never as HTML.");
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("complete", true);
        weights.put("file", dev.scratchlm.gpt.HuggingFaceGpt2.WEIGHTS_FILE);
        weights.put("dtype", "F32");
        weights.put("parameters", parameterCount);
        weights.put("layout", "Hugging Face GPT-2 (GPT2LMHeadModel), lm_head tied to transformer.wte");
        card.put("weights", weights);
        Map<String, Object> licence = new LinkedHashMap<>();
        licence.put("data", provenance == null ? "see the export's model card" : data.get("licenses"));
        licence.put("weights", "derived from the data above: its licences' terms apply to the weights");
        card.put("license", licence);

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

    /**
     * Every training stage from the first (pre-training) to this checkpoint's, each with its data, hyperparameters and
     * metrics, as far as the parents' manifests are known.
     */
    private static List<Map<String, Object>> stages(
            CheckpointManifest man, Function<String, CheckpointManifest> manifests) {
        List<CheckpointManifest> chain = new ArrayList<>();
        for (CheckpointManifest m = man; m != null && chain.size() < 32; ) {
            chain.add(0, m);
            m = m.parentId() == null || manifests == null ? null : manifests.apply(m.parentId());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (CheckpointManifest m : chain) {
            Map<String, Object> l = m.lineage() == null ? Map.of() : m.lineage();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("stage", m.stage());
            e.put("checkpointId", m.checkpointId());
            e.put("step", m.step());
            Map<String, Object> d = new LinkedHashMap<>();
            for (String k : List.of(
                    "documents",
                    "tokens",
                    "knowledgeCutoff",
                    "instructionSets",
                    "trainExamples",
                    "campaigns",
                    "sources",
                    "trainPairs",
                    "heldOutPairs",
                    "reference",
                    "importedFrom")) {
                if (l.get(k) != null) d.put(k, l.get(k));
            }
            e.put("data", d);
            e.put("hyperparameters", l.get("hyperparameters"));
            e.put("metrics", m.metrics());
            out.add(e);
        }
        return out;
    }

    /** The chain of parent checkpoints, as far as this service has seen them (cycles cut). */
    private static List<Map<String, Object>> parents(
            CheckpointManifest man, Function<String, CheckpointManifest> manifests) {
        List<Map<String, Object>> chain = new ArrayList<>();
        String parent = man.parentId();
        while (parent != null && chain.size() < 32) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", parent);
            CheckpointManifest p = manifests == null ? null : manifests.apply(parent);
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

    /** The card as a document people read (MODEL_CARD.md): the same facts as the JSON, in the order of the list. */
    @SuppressWarnings("unchecked")
    public static String markdown(Map<String, Object> card) {
        StringBuilder md = new StringBuilder();
        md.append("# Model card: ").append(card.get("id")).append("\n\n");
        md.append("Stage **")
                .append(card.get("stage"))
                .append("**, step ")
                .append(card.get("step"))
                .append(", created ")
                .append(card.get("createdAt"))
                .append(". ")
                .append(card.get("mode"))
                .append(".\n\n");

        Map<String, Object> data = (Map<String, Object>) card.get("data");
        md.append("## 1. Training data and how it was selected\n\n");
        md.append("- Knowledge cutoff (newest training document): ")
                .append(fmt(data.get("knowledgeCutoff")))
                .append("\n");
        md.append("- Pre-training documents: ")
                .append(fmt(data.get("documents")))
                .append(", tokens: ")
                .append(fmt(data.get("tokens")))
                .append(", shards: ")
                .append(fmt(data.get("shards")))
                .append("\n");
        if (data.get("sources") instanceof List<?> sources) {
            md.append("- Documents attributed through ")
                    .append(data.get("attribution"))
                    .append("\n\n");
            md.append(
                    "| source | type | files | licence | selection | kept | rejected by filter | in training | dates |\n");
            md.append("|---|---|---|---|---|---|---|---|---|\n");
            for (Object o : sources) {
                Map<String, Object> src = (Map<String, Object>) o;
                md.append("| ")
                        .append(cell(src.get("id")))
                        .append(" | ")
                        .append(cell(src.get("type")))
                        .append(" | ")
                        .append(cell(src.get("files")))
                        .append(" | ")
                        .append(cell(src.get("license")))
                        .append(" | ")
                        .append(cell(src.get("selection")))
                        .append(" | ")
                        .append(cell(src.get("documentsKept")))
                        .append(" | ")
                        .append(cell(src.get("rejectedByFilter")))
                        .append(" | ")
                        .append(cell(src.get("trainingDocuments")))
                        .append(" | ")
                        .append(cell(src.get("dates")))
                        .append(" |\n");
            }
        } else {
            md.append("- Sources: ").append(fmt(data.get("sources"))).append("\n");
        }

        Map<String, Object> tok = (Map<String, Object>) card.get("tokenizer");
        md.append("\n## 2. Tokenization\n\n");
        md.append("- ").append(tok.get("algorithm")).append("\n");
        md.append("- Tokenizer ")
                .append(tok.get("id"))
                .append(": ")
                .append(tok.get("vocabSize"))
                .append(" ids, split pattern ")
                .append(tok.get("pattern"))
                .append(", bytes per token on held-out text: ")
                .append(fmt(tok.get("bytesPerToken")))
                .append("\n");
        md.append("- Numbers (")
                .append(tok.get("numberPolicy"))
                .append("): ")
                .append(tok.get("numberPolicyMeaning"))
                .append("\n");
        md.append("- Special tokens: ").append(fmt(tok.get("specialTokens"))).append("\n");
        if (tok.get("training") != null)
            md.append("- Trained on: ").append(fmt(tok.get("training"))).append("\n");

        Map<String, Object> arch = (Map<String, Object>) card.get("architecture");
        Map<String, Object> params = (Map<String, Object>) card.get("parameters");
        md.append("\n## 3. Architecture\n\n")
                .append(arch.get("type"))
                .append(": ")
                .append(arch.get("layers"))
                .append(" layers, ")
                .append(arch.get("heads"))
                .append(" heads, width ")
                .append(arch.get("width"))
                .append(", context ")
                .append(arch.get("context"))
                .append(", vocabulary ")
                .append(arch.get("vocab"))
                .append("; ")
                .append(params.get("total"))
                .append(" parameters.\n\n| part | parameters |\n|---|---|\n");
        for (Object o : (List<Object>) params.get("perLayer")) {
            Map<String, Object> e = (Map<String, Object>) o;
            md.append("| ")
                    .append(cell(e.get("name")))
                    .append(" | ")
                    .append(e.get("count"))
                    .append(" |\n");
        }

        md.append(
                "\n## 4. Training method\n\n| stage | checkpoint | data | hyperparameters | metrics |\n|---|---|---|---|---|\n");
        for (Object o : (List<Object>) card.get("training")) {
            Map<String, Object> e = (Map<String, Object>) o;
            md.append("| ")
                    .append(cell(e.get("stage")))
                    .append(" | ")
                    .append(cell(e.get("checkpointId")))
                    .append(" | ")
                    .append(cell(e.get("data")))
                    .append(" | ")
                    .append(cell(e.get("hyperparameters")))
                    .append(" | ")
                    .append(cell(e.get("metrics")))
                    .append(" |\n");
        }

        Map<String, Object> system = (Map<String, Object>) card.get("systemPrompt");
        md.append("\n## 5. System instructions and safety\n\n");
        md.append("- Default system prompt: ")
                .append(fmt(system.get("default")))
                .append(" (")
                .append(system.get("note"))
                .append(")\n");
        md.append("- Safety measures: ").append(card.get("safety")).append("\n");

        Map<String, Object> weights = (Map<String, Object>) card.get("weights");
        md.append("\n## 6. Weights\n\nComplete: ")
                .append(weights.get("parameters"))
                .append(" parameters, ")
                .append(weights.get("dtype"))
                .append(", in `")
                .append(weights.get("file"))
                .append("` (")
                .append(weights.get("layout"))
                .append("), with `config.json`, `tokenizer.json` and the chat template in `tokenizer_config.json`.\n");

        Map<String, Object> licence = (Map<String, Object>) card.get("license");
        md.append("\n## 7. Licence\n\n- Data: ")
                .append(fmt(licence.get("data")))
                .append("\n- Weights: ")
                .append(licence.get("weights"))
                .append("\n");

        Map<String, Object> lineage = (Map<String, Object>) card.get("lineage");
        md.append("\n## Lineage\n\nTokenizer ")
                .append(lineage.get("tokenizerId"))
                .append("; parents: ")
                .append(fmt(lineage.get("parents")))
                .append("\n");
        return md.toString();
    }

    private static String fmt(Object v) {
        if (v == null) return "none";
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder();
            m.forEach((k, x) -> {
                if (x == null) return;
                if (b.length() > 0) b.append(", ");
                b.append(k).append(": ").append(fmt(x));
            });
            return b.length() == 0 ? "none" : b.toString();
        }
        if (v instanceof List<?> l) {
            return l.isEmpty()
                    ? "none"
                    : String.join(", ", l.stream().map(ModelCard::fmt).toList());
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        if (v instanceof Double d) return String.format(java.util.Locale.ROOT, "%.4g", d);
        return v.toString();
    }

    /** A value inside a table cell: a pipe or a line break would end the cell or the row. */
    private static String cell(Object v) {
        return fmt(v).replace("|", "\\|").replace("\n", " ");
    }
}
