package dev.scratchlm.trainer;

import dev.scratchlm.contracts.AdminTokens;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Starting and stopping jobs spends the machine: only admins may, when admin tokens are set. */
@Singleton
public class AdminAuth {
    private final AdminTokens tokens;

    public AdminAuth(@ConfigProperty(name = "scratchlm.admin-tokens") Optional<String> configured) {
        this.tokens = AdminTokens.of(configured.orElse(null));
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        String refusal = tokens.refusal(request.getMethod(), request.getUriInfo().getPath(),
                request.getHeaderString("Authorization"), List.of());
        return refusal == null ? null
                : Response.status(401).type(MediaType.APPLICATION_JSON).entity(Map.of("error", refusal)).build();
    }
}
