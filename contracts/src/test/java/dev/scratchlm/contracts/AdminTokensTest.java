package dev.scratchlm.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdminTokensTest {
    private final AdminTokens tokens = AdminTokens.of(" alpha , beta ");

    @Test
    void unsetMeansOpen() {
        assertThat(AdminTokens.of(null).refusal("POST", "/api/jobs", null, List.of())).isNull();
        assertThat(AdminTokens.of(" , ").required()).isFalse();
    }

    @Test
    void readsAndPagesStayOpen() {
        assertThat(tokens.refusal("GET", "/api/jobs", null, List.of())).isNull();
        assertThat(tokens.refusal("POST", "/q/health", null, List.of())).isNull();
        assertThat(tokens.refusal("POST", "/api/tokenize", null, List.of("/api/tokenize"))).isNull();
    }

    @Test
    void changesNeedOneOfTheTokens() {
        assertThat(tokens.refusal("POST", "/api/jobs", null, List.of())).contains("Bearer");
        assertThat(tokens.refusal("DELETE", "api/jobs/1", "Bearer gamma", List.of())).contains("not valid");
        assertThat(tokens.refusal("POST", "/api/jobs", "Bearer alpha", List.of())).isNull();
        assertThat(tokens.refusal("POST", "/api/jobs", "Bearer beta", List.of())).isNull();
        assertThat(tokens.refusal("POST", "/api/jobs", "Basic alpha", List.of())).isNotNull();
    }
}
