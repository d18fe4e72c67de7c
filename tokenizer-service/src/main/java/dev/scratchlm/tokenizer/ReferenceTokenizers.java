package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.SplitPattern;
import dev.scratchlm.bpe.TiktokenFormat;
import dev.scratchlm.bpe.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's published tokenizers, for comparison in the visualizer: GPT-2's r50k_base and GPT-4's cl100k_base, read
 * from their rank files (copied into this service's resources at build time, see pom.xml), plus cl100k_base's
 * vocabulary under the single-digit split pattern, so all three number policies have a real tokenizer to show.
 * They are never activated: cl100k's ids do not fit the 16-bit shards, and none was trained on our data.
 */
@ApplicationScoped
public class ReferenceTokenizers {
    /** What one reference tokenizer is and where its ranks come from. */
    public record Reference(
            String id,
            String name,
            String description,
            String rankFile,
            SplitPattern pattern,
            Map<String, Integer> specials) {}

    private static final Map<String, Reference> ALL = new LinkedHashMap<>();

    static {
        add(new Reference(
                "r50k_base",
                "GPT-2 (r50k_base)",
                "OpenAI's GPT-2 tokenizer: whole digit runs are pieces",
                "r50k_base",
                SplitPattern.R50K,
                TiktokenFormat.R50K_SPECIALS));
        add(new Reference(
                "cl100k_base",
                "GPT-4 (cl100k_base)",
                "OpenAI's GPT-4 tokenizer: digits in groups of up to three",
                "cl100k_base",
                SplitPattern.CL100K,
                TiktokenFormat.CL100K_SPECIALS));
        add(new Reference(
                "cl100k_base-single-digits",
                "GPT-4 vocabulary, single digits",
                "cl100k_base's tokens with every digit its own piece (the single number policy)",
                "cl100k_base",
                SplitPattern.CL100K_SINGLE_DIGITS,
                TiktokenFormat.CL100K_SPECIALS));
    }

    private static void add(Reference r) {
        ALL.put(r.id(), r);
    }

    private final Map<String, Tokenizer> loaded = new ConcurrentHashMap<>();

    public List<Reference> list() {
        return List.copyOf(ALL.values());
    }

    public Optional<Reference> describe(String id) {
        return Optional.ofNullable(ALL.get(id));
    }

    /** The tokenizer, loaded on first use (cl100k takes a moment). */
    public Optional<Tokenizer> get(String id) {
        Reference r = ALL.get(id);
        if (r == null) return Optional.empty();
        return Optional.of(loaded.computeIfAbsent(id, k -> load(r)));
    }

    /** Loads them all, so the first visualizer request does not wait. */
    public void preload() {
        ALL.keySet().forEach(this::get);
    }

    private static Tokenizer load(Reference r) {
        String resource = "/reference-ranks/" + r.rankFile() + ".tiktoken";
        try (InputStream in = ReferenceTokenizers.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new IllegalStateException(resource + " is not on the classpath (copied there by the build)");
            return TiktokenFormat.load(in, r.pattern(), r.specials());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
