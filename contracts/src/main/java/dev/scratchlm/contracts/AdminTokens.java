package dev.scratchlm.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * Who may change a service's state: when {@code SCRATCHLM_ADMIN_TOKENS} (comma-separated; services read it as
 * {@code scratchlm.admin-tokens}) is set, every request that
 * is not a read ({@code GET}, {@code HEAD}, {@code OPTIONS}) to a service's {@code /api/} must carry
 * {@code Authorization: Bearer <one of them>}. Unset, the services are open, as on a laptop.
 * Tokens come from the environment (a Kubernetes Secret), never from a file in the repository.
 */
public final class AdminTokens {
    private final List<byte[]> tokens;

    private AdminTokens(List<byte[]> tokens) {
        this.tokens = tokens;
    }

    public static AdminTokens of(String commaSeparated) {
        if (commaSeparated == null) return new AdminTokens(List.of());
        return new AdminTokens(Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .map(t -> t.getBytes(StandardCharsets.UTF_8)).toList());
    }

    public boolean required() {
        return !tokens.isEmpty();
    }

    /**
     * @param exempt paths under /api/ that stay open although they are not reads (e.g. tokenizing a text)
     * @return null when the request may go on, otherwise why it may not
     */
    public String refusal(String method, String path, String authorization, List<String> exempt) {
        if (!required()) return null;
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return null;
        String p = path.startsWith("/") ? path : "/" + path;
        if (!p.startsWith("/api/") || exempt.contains(p)) return null;
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "this service changes state only for admins: send Authorization: Bearer <admin token>";
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] token : tokens) ok |= MessageDigest.isEqual(token, given); // constant time, every token compared
        return ok ? null : "the admin token is not valid";
    }
}
