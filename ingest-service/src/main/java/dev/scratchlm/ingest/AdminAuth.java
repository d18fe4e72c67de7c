package dev.scratchlm.ingest;

import dev.scratchlm.contracts.AdminTokens;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Optional;

/** Sources and uploads change what the model learns from: only admins may add them when admin tokens are set. */
@Singleton
public class AdminAuth {
    private final AdminTokens tokens;

    public AdminAuth(@ConfigProperty(name = "scratchlm.admin-tokens") Optional<String> configured) {
        this.tokens = AdminTokens.of(configured.orElse(null));
    }

    @ServerRequestFilter(preMatching = true)
    public jakarta.ws.rs.core.Response check(ContainerRequestContext request) {
        String refusal = tokens.refusal(request.getMethod(), request.getUriInfo().getPath(),
                request.getHeaderString("Authorization"), List.of());
        return refusal == null ? null : ApiErrors.error(401, "unauthorized", refusal);
    }
}
