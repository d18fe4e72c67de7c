package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Every tokenizer a request can name: registered ones (parsed once, then cached: they never change) and references. */
@ApplicationScoped
public class TokenizerCatalog {
    @Inject
    TokenizerRepository registry;
    @Inject
    ReferenceTokenizers references;

    private final Map<String, Tokenizer> parsed = new ConcurrentHashMap<>();

    /** A registered or reference tokenizer, or 404. */
    public Tokenizer get(String id) {
        return find(id).orElseThrow(() -> unknown(id));
    }

    public Optional<Tokenizer> find(String id) {
        Optional<Tokenizer> ref = references.get(id);
        if (ref.isPresent()) return ref;
        Tokenizer cached = parsed.get(id);
        if (cached != null) return Optional.of(cached);
        return registry.find(id).map(t -> parsed.computeIfAbsent(id, k -> ScratchFormat.fromText(t.definition())));
    }

    /** Remembers a tokenizer just trained, so its first use needs no parse. */
    void remember(String id, Tokenizer tokenizer) {
        parsed.putIfAbsent(id, tokenizer);
    }

    static ApiError unknown(String id) {
        return ApiError.notFound("unknown tokenizer '" + id + "'").with("hint", "GET /api/tokenizers lists the tokenizers there are");
    }
}
