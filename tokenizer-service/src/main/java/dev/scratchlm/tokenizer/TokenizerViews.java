package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.TokenShard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of tokenizers in the API: a short summary for lists, everything for one tokenizer. */
@ApplicationScoped
public class TokenizerViews {
    @Inject
    ShardRepository shards;

    @Inject
    SampleRepository samples;

    @Inject
    ShardWorkers workers;

    public Map<String, Object> summary(StoredTokenizer t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id());
        v.put("name", t.name());
        v.put("kind", "trained");
        v.put("active", t.active());
        v.put("vocabSize", t.vocabSize());
        v.put("numberPolicy", t.numberPolicy());
        v.put("pattern", t.pattern());
        v.put("valBytesPerToken", validation(t).get("bytesPerToken"));
        v.put("createdAt", t.createdAt());
        return v;
    }

    public Map<String, Object> summary(ReferenceTokenizers.Reference r, Tokenizer t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", r.id());
        v.put("name", r.name());
        v.put("kind", "reference");
        v.put("active", false);
        v.put("vocabSize", t == null ? null : t.vocabSize());
        v.put("numberPolicy", r.pattern().numberPolicy().id());
        v.put("pattern", r.pattern().id());
        v.put("description", r.description());
        return v;
    }

    /** Everything about a trained tokenizer, with its shard progress; flat, unique field names for shell scripts. */
    public Map<String, Object> detail(StoredTokenizer t) {
        Map<String, Object> v = summary(t);
        v.put("activatedAt", t.activatedAt());
        v.put("specialTokens", t.specialTokens());
        Map<String, Object> training = t.training();
        v.put("trainingSeconds", training.get("seconds"));
        v.put("trainingDocuments", training.get("documents"));
        v.put("trainingBytes", training.get("bytes"));
        v.put("languages", training.get("languages"));
        v.put("training", training);

        Map<String, ShardRepository.SplitStats> stats = shards.stats(t.id());
        ShardRepository.SplitStats train =
                stats.getOrDefault(TokenShard.TRAIN, new ShardRepository.SplitStats(0, 0, 0, 0, null));
        ShardRepository.SplitStats val =
                stats.getOrDefault(TokenShard.VAL, new ShardRepository.SplitStats(0, 0, 0, 0, null));
        Map<String, Object> splits = new LinkedHashMap<>();
        splits.put(TokenShard.TRAIN, train);
        splits.put(TokenShard.VAL, val);
        v.put("shards", splits);
        v.put("shardsTotal", train.shards() + val.shards());
        v.put("trainTokens", train.tokens());
        v.put("valTokens", val.tokens());
        v.put("documentsTokenized", train.documents() + val.documents());
        v.put("documentsSeen", samples.corpus().documents());
        v.put("latestDate", latest(train, val));

        Map<String, Object> worker = new LinkedHashMap<>();
        workers.current()
                .filter(w -> w.tokenizerId().equals(t.id()))
                .ifPresentOrElse(
                        w -> {
                            worker.put("running", w.isRunning());
                            worker.put("partitions", w.assignedPartitions());
                            worker.put("documentsCommitted", w.documentsCommitted());
                            worker.put("lastError", w.lastError());
                        },
                        () -> worker.put("running", false));
        v.put("worker", worker);
        v.put("exports", exports(t.id()));
        return v;
    }

    public Map<String, Object> detail(ReferenceTokenizers.Reference r, Tokenizer t) {
        Map<String, Object> v = summary(r, t);
        v.put("specialTokens", t.specialTokens());
        v.put("exports", exports(r.id()));
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> validation(StoredTokenizer t) {
        Object v = t.training() == null ? null : t.training().get("validation");
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Object latest(ShardRepository.SplitStats a, ShardRepository.SplitStats b) {
        if (a.latestDate() == null) return b.latestDate();
        if (b.latestDate() == null) return a.latestDate();
        return a.latestDate().isAfter(b.latestDate()) ? a.latestDate() : b.latestDate();
    }

    private static Map<String, String> exports(String id) {
        Map<String, String> e = new LinkedHashMap<>();
        for (String format : TokenizersResource.EXPORT_FORMATS)
            e.put(format, "/api/tokenizers/" + id + "/export?format=" + format);
        return e;
    }
}
