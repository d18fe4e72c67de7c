package dev.scratchlm.tokenizer;

import dev.scratchlm.contracts.AdminTokens;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * Training and activating tokenizers change every shard: only admins may, when admin tokens are set. Tokenizing a
 * text changes nothing, so the visualizer stays open.
 */
@Singleton
public class AdminAuth {
    private static final List<String> OPEN = List.of("/api/tokenize");
    private final AdminTokens tokens;

    public AdminAuth(@ConfigProperty(name = "scratchlm.admin-tokens") Optional<String> configured) {
        this.tokens = AdminTokens.of(configured.orElse(null));
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        String refusal = tokens.refusal(request.getMethod(), request.getUriInfo().getPath(),
                request.getHeaderString("Authorization"), OPEN);
        return refusal == null ? null
                : Response.status(401).type(MediaType.APPLICATION_JSON).entity(Map.of("error", refusal)).build();
    }
}
