package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.service.ApiError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every tokenizer a request can name: registered ones (parsed once, then cached: they never change) and references.
 * The cache keeps the most recently used {@value #CACHED} (each holds its vocabulary and encoder caches, megabytes).
 */
@ApplicationScoped
public class TokenizerCatalog {
    @Inject
    TokenizerRepository registry;

    @Inject
    ReferenceTokenizers references;

    static final int CACHED = 16;

    private final Map<String, Tokenizer> parsed = new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Tokenizer> eldest) {
            return size() > CACHED;
        }
    };

    /** A registered or reference tokenizer, or 404. */
    public Tokenizer get(String id) {
        return find(id).orElseThrow(() -> unknown(id));
    }

    public Optional<Tokenizer> find(String id) {
        Optional<Tokenizer> ref = references.get(id);
        if (ref.isPresent()) return ref;
        synchronized (parsed) {
            Tokenizer cached = parsed.get(id);
            if (cached != null) return Optional.of(cached);
        }
        Optional<Tokenizer> loaded = registry.find(id).map(t -> ScratchFormat.fromText(t.definition()));
        loaded.ifPresent(t -> remember(id, t));
        return loaded;
    }

    /** Remembers a tokenizer just trained, so its first use needs no parse. */
    void remember(String id, Tokenizer tokenizer) {
        synchronized (parsed) {
            parsed.putIfAbsent(id, tokenizer);
        }
    }

    static ApiError unknown(String id) {
        return ApiError.notFound("unknown tokenizer '" + id + "'")
                .with("hint", "GET /api/tokenizers lists the tokenizers there are");
    }
}
