package dev.scratchlm.bundle;

import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.contracts.Document;
import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.RejectedDocument;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.contracts.TopicScan;
import dev.scratchlm.contracts.Topics;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where a model's pre-training data came from and how it was selected, read back from the topics the data passed
 * through: each ingest source's rules ({@code ingest.tasks}: cutoff, languages, licence), what its filters kept
 * ({@code documents}) and refused, by filter ({@code documents.rejected}), and how many of its documents are in the
 * checkpoint's training shards ({@code token-shards}).
 *
 * @param sources        per source id, in order of first appearance
 * @param attribution    how training documents were matched to the checkpoint (its listed shards, or all of the
 *                       tokenizer's training shards when the checkpoint lists none)
 */
public record Provenance(Map<String, Source> sources, String attribution) {

    /** One ingest source as the model card reports it. */
    public static final class Source {
        public String sourceType;
        public String format;
        public final Set<String> files = new java.util.TreeSet<>();
        public LocalDate cutoff;
        public String undated;
        public List<String> languages;
        public String license;
        public long documents;
        public long trainingDocuments;
        public LocalDate earliest;
        public LocalDate latest;
        public final Map<String, Long> documentsByLanguage = new TreeMap<>();
        public final Map<String, Long> rejectedByFilter = new TreeMap<>();

        /** The model card's view of it. */
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", sourceType);
            m.put("format", format);
            m.put("files", List.copyOf(files));
            m.put("license", license);
            Map<String, Object> rules = new LinkedHashMap<>();
            rules.put("knowledgeCutoff", cutoff == null ? null : cutoff.toString());
            rules.put("undated", undated);
            rules.put("languages", languages == null || languages.isEmpty() ? "all" : languages);
            m.put("selection", rules);
            m.put("documentsKept", documents);
            m.put(
                    "documentsRejected",
                    rejectedByFilter.values().stream()
                            .mapToLong(Long::longValue)
                            .sum());
            m.put("rejectedByFilter", rejectedByFilter);
            m.put("documentsByLanguage", documentsByLanguage);
            m.put("trainingDocuments", trainingDocuments);
            m.put(
                    "dates",
                    earliest == null ? null : Map.of("earliest", earliest.toString(), "latest", latest.toString()));
            return m;
        }
    }

    /**
     * Reads the four topics once. {@code shardIds}: the checkpoint's training shards, or null for every training shard
     * of {@code tokenizerId}.
     */
    public static Provenance scan(String bootstrap, String tokenizerId, Set<String> shardIds) {
        Set<String> trained = new HashSet<>();
        TopicScan.readAll(bootstrap, List.of(Topics.TOKEN_SHARDS), r -> {
            TokenShard s = TokenShard.decode(r.value());
            if (!s.tokenizerId().equals(tokenizerId) || !TokenShard.TRAIN.equals(s.split())) return;
            if (shardIds == null || shardIds.contains(s.shardId())) trained.addAll(s.documentIds());
        });
        Map<String, Source> sources = new LinkedHashMap<>();
        Map<String, Boolean> counted = new HashMap<>();
        TopicScan.readAll(bootstrap, List.of(Topics.INGEST_TASKS, Topics.DOCUMENTS, Topics.DOCUMENTS_REJECTED), r -> {
            switch (r.topic()) {
                case Topics.INGEST_TASKS -> {
                    IngestTask t = Json.read(r.value(), IngestTask.class);
                    Source s = sources.computeIfAbsent(t.sourceId(), k -> new Source());
                    s.sourceType = t.sourceType();
                    s.format = t.format();
                    if (t.uri() != null) s.files.add(t.uri());
                    s.cutoff = t.cutoff();
                    s.undated = t.undated();
                    s.languages = t.languages();
                    s.license = t.license();
                }
                case Topics.DOCUMENTS -> {
                    Document d = Json.read(r.value(), Document.class);
                    // A document id is its text's hash: the same text from a replayed task counts once.
                    if (counted.put(d.id(), Boolean.TRUE) != null) return;
                    Source s = sources.computeIfAbsent(d.sourceId(), k -> new Source());
                    s.documents++;
                    if (trained.contains(d.id())) s.trainingDocuments++;
                    if (d.language() != null) s.documentsByLanguage.merge(d.language(), 1L, Long::sum);
                    if (s.license == null) s.license = d.license();
                    if (d.date() != null) {
                        if (s.earliest == null || d.date().isBefore(s.earliest)) s.earliest = d.date();
                        if (s.latest == null || d.date().isAfter(s.latest)) s.latest = d.date();
                    }
                }
                default -> {
                    RejectedDocument d = Json.read(r.value(), RejectedDocument.class);
                    if (counted.put("rejected:" + d.id() + ":" + d.filter(), Boolean.TRUE) != null) return;
                    sources.computeIfAbsent(d.sourceId(), k -> new Source())
                            .rejectedByFilter
                            .merge(d.filter(), 1L, Long::sum);
                }
            }
        });
        // Sources that gave this model nothing are not its data.
        sources.values().removeIf(s -> s.trainingDocuments == 0);
        return new Provenance(
                sources,
                shardIds == null
                        ? "every training shard of tokenizer " + tokenizerId
                                + " (the checkpoint does not list its shards)"
                        : "the checkpoint's " + shardIds.size() + " training shards");
    }

    /**
     * The training shards of the pre-training run under {@code m} (its own, or its nearest pre-trained ancestor's
     * found through {@code manifests}), or null when that run does not list them.
     */
    public static Set<String> trainingShards(CheckpointManifest m, Function<String, CheckpointManifest> manifests) {
        for (int hops = 0; m != null && hops < 32; hops++) {
            if (m.lineage() != null && m.lineage().get("shards") instanceof Map<?, ?> shards) {
                Set<String> ids = new HashSet<>();
                shards.keySet().forEach(k -> ids.add(k.toString()));
                return ids;
            }
            m = m.parentId() == null ? null : manifests.apply(m.parentId());
        }
        return null;
    }
}
