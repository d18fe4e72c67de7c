package dev.scratchlm.trainer;

import dev.scratchlm.trainer.TokenizerRepository.TokenizerInfo;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the trainer can train on: every tokenizer it knows (newest first) with the shards in its store. A tokenizer
 * whose shards arrived before its definition is listed with a null vocabulary size (jobs wait for the definition).
 */
@Path("/api/tokenizers")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TokenizerResource {
    @Inject
    TrainerService trainer;

    @GET
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TokenizerInfo t : trainer.tokenizers().all()) {
            seen.add(t.id());
            out.add(view(t.id(), t.vocabSize(), t.createdAt(), trainer.store().stats(t.id())));
        }
        for (ShardStore.Stats s : trainer.store().stats()) {
            if (!seen.contains(s.tokenizerId())) out.add(view(s.tokenizerId(), null, null, s));
        }
        return out;
    }

    /**
     * Documents per publication year in each split (from the shards' per-document dates; "undated" counts the rest,
     * "unknown" the documents of shards without per-document dates): what a knowledge cutoff can select.
     */
    @GET
    @Path("{id}/years")
    public Map<String, Object> years(@PathParam("id") String id) {
        ShardStore.Stats s = trainer.store().stats(id);
        if (s == null) throw dev.scratchlm.service.ApiError.notFound("no shards of tokenizer " + id);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String split : ShardStore.SPLITS) {
            Map<String, Long> years = new TreeMap<>();
            for (ShardStore.Entry e : trainer.store().entries(id, split, Long.MAX_VALUE)) {
                if (e.spans() == null) {
                    years.merge("unknown", (long) e.documents(), Long::sum);
                    continue;
                }
                for (var d : e.spans())
                    years.merge(
                            d.date() == null
                                    ? "undated"
                                    : String.valueOf(d.date().getYear()),
                            1L,
                            Long::sum);
            }
            out.put(split, years);
        }
        return out;
    }

    private static Map<String, Object> view(String id, Integer vocabSize, Object createdAt, ShardStore.Stats s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("vocabSize", vocabSize);
        v.put("createdAt", createdAt);
        v.put("trainTokens", s == null ? 0 : s.trainTokens());
        v.put("valTokens", s == null ? 0 : s.valTokens());
        v.put("trainShards", s == null ? 0 : s.trainShards());
        v.put("valShards", s == null ? 0 : s.valShards());
        v.put("trainDocuments", s == null ? 0 : s.trainDocuments());
        v.put("valDocuments", s == null ? 0 : s.valDocuments());
        v.put("trainable", vocabSize != null && s != null && s.trainTokens() > 0);
        return v;
    }
}
