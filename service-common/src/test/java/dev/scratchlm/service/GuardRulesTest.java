package dev.scratchlm.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard's rules on their own: which requests need a token, and which origins are this service's. */
class GuardRulesTest {
    private final RequestGuard guard = new RequestGuard(
            List.of(" alpha ", "beta", " "),
            List.of("/api/"),
            List.of("POST", "PUT", "PATCH", "DELETE"),
            List.of("/api/tokenize"),
            List.of());

    @Test
    void tokensGuardStateChangesUnderTheConfiguredPaths() {
        assertThat(guard.tokensRequired()).isTrue();
        assertThat(guard.tokenRefusal("POST", "/api/jobs", null)).contains("Bearer");
        assertThat(guard.tokenRefusal("DELETE", "/api/jobs/1", "Bearer gamma")).isEqualTo("the token is not valid");
        assertThat(guard.tokenRefusal("POST", "/api/jobs", "Bearer alpha")).isNull();
        assertThat(guard.tokenRefusal("POST", "/api/jobs", "bearer beta")).isNull();
        assertThat(guard.tokenRefusal("POST", "/api/jobs", "Basic YWxwaGE=")).isNotNull();
        assertThat(guard.tokenRefusal("POST", "/api/jobs", "Bearer ")).isNotNull();
        assertThat(guard.tokenRefusal("GET", "/api/jobs", null)).isNull();
        assertThat(guard.tokenRefusal("OPTIONS", "/api/jobs", null)).isNull();
        assertThat(guard.tokenRefusal("POST", "/api/tokenize", null)).isNull();
        assertThat(guard.tokenRefusal("POST", "/q/health", null)).isNull();
        assertThat(new RequestGuard(List.of(), List.of("/api/"), List.of("POST"), List.of(), List.of())
                        .tokenRefusal("POST", "/api/jobs", null))
                .isNull();
    }

    @Test
    void aServiceWithoutTokensSaysSoLoudlyAtStartUp() {
        RequestGuard open =
                new RequestGuard(List.of(), List.of("/api/"), List.of("POST", "DELETE"), List.of(), List.of());
        open.service = "test-service";
        assertThat(open.openWarning())
                .contains("test-service: NO TOKENS CONFIGURED")
                .contains("DELETE/POST requests under /api/ are OPEN");
        guard.service = "guarded-service";
        assertThat(guard.openWarning()).isNull();
    }

    @Test
    void everyMethodCanBeGuarded() {
        RequestGuard chat =
                new RequestGuard(List.of("k"), List.of("/v1/", "/api/"), List.of("GET", "POST"), List.of(), List.of());
        assertThat(chat.tokenRefusal("GET", "/v1/models", null)).isNotNull();
        assertThat(chat.tokenRefusal("HEAD", "/v1/models", null)).isNotNull();
        assertThat(chat.tokenRefusal("GET", "/", null)).isNull();
        assertThat(chat.tokenRefusal("GET", "/v1/models", "Bearer k")).isNull();
    }

    @Test
    void anOriginIsOursWhenSchemeHostAndPortMatch() {
        assertThat(RequestGuard.sameHost("http://127.0.0.1:8080", "127.0.0.1:8080", false))
                .isTrue();
        assertThat(RequestGuard.sameHost("http://localhost", "localhost", false))
                .isTrue();
        assertThat(RequestGuard.sameHost("http://localhost", "localhost:80", false))
                .isTrue();
        assertThat(RequestGuard.sameHost("https://example.org", "example.org", true))
                .isTrue();
        assertThat(RequestGuard.sameHost("http://[::1]:8080", "[::1]:8080", false))
                .isTrue();
        assertThat(RequestGuard.sameHost("http://localhost:8081", "localhost:8080", false))
                .isFalse();
        assertThat(RequestGuard.sameHost("http://evil.example", "localhost", false))
                .isFalse();
        assertThat(RequestGuard.sameHost("http://localhost.evil.example", "localhost", false))
                .isFalse();
        assertThat(RequestGuard.sameHost("null", "localhost", false)).isFalse();
        assertThat(RequestGuard.sameHost("http://localhost:8080", null, false)).isFalse();
        assertThat(guard.crossSite("same-site", null, "localhost:8080", false)).isNull();
        assertThat(guard.crossSite("cross-site", "http://localhost:8080", "localhost:8080", false))
                .isNotNull();
    }

    @Test
    void theBodyLimitReadsTheDeclaredLength() {
        assertThat(BodyLimitRoute.refusal("100", 100)).isNull();
        assertThat(BodyLimitRoute.refusal("101", 100))
                .isEqualTo("the request body is 101 bytes; the limit is 100 bytes");
        assertThat(BodyLimitRoute.refusal("99999999999999999999999", 100)).contains("the limit is 100 bytes");
        assertThat(BodyLimitRoute.refusal(null, 100)).isNull();
        assertThat(BodyLimitRoute.refusal("", 100)).isNull();
        assertThat(BodyLimitRoute.refusal("-5", 100)).isNull();
    }

    @Test
    void backoffDoublesUpToItsCap() {
        Backoff b = new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500), 4);
        assertThat(b.delay(1).toMillis()).isEqualTo(100);
        assertThat(b.delay(2).toMillis()).isEqualTo(200);
        assertThat(b.delay(3).toMillis()).isEqualTo(400);
        assertThat(b.delay(4).toMillis()).isEqualTo(500);
        assertThat(b.delay(60).toMillis()).isEqualTo(500);
        assertThat(b.exhausted(3)).isFalse();
        assertThat(b.exhausted(4)).isTrue();
    }
}
