package dev.scratchlm.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Who may call what ({@link RequestGuard}). Every service sets {@code scratchlm.http.tokens} from its environment
 * ({@code SCRATCHLM_ADMIN_TOKENS}; chat: {@code CHAT_API_KEYS}), never from a file in the repository.
 */
@ConfigMapping(prefix = "scratchlm.http")
public interface GuardConfig {
    /** Bearer tokens, comma-separated; none: the token check is off (a local stack) and start-up says so loudly. */
    Optional<List<String>> tokens();

    /** Path prefixes under which {@link #tokenMethods()} need a token. */
    @WithDefault("/api/")
    List<String> tokenPaths();

    /** The methods that need a token under {@link #tokenPaths()}: the ones that change state, unless told otherwise. */
    @WithDefault("POST,PUT,PATCH,DELETE")
    List<String> tokenMethods();

    /** Exact paths that stay open although they match {@link #tokenPaths()} (e.g. tokenizing a text changes nothing). */
    Optional<List<String>> openPaths();

    /**
     * Origins (e.g. {@code https://ui.example.org}) whose pages may change state here besides the service's own;
     * needed only behind a proxy that rewrites {@code Host}.
     */
    Optional<List<String>> allowedOrigins();
}
