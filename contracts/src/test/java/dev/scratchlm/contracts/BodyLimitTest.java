package dev.scratchlm.contracts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyLimitTest {
    @Test
    void refusesOnlyDeclaredBodiesOverTheLimit() {
        assertThat(BodyLimit.refusal("100", 100)).isNull();
        assertThat(BodyLimit.refusal("101", 100)).isEqualTo("the request body is 101 bytes; the limit is 100 bytes");
        assertThat(BodyLimit.refusal("99999999999999999999999", 100)).contains("the limit is 100 bytes");
        assertThat(BodyLimit.refusal(null, 100)).isNull();
        assertThat(BodyLimit.refusal("", 100)).isNull();
        assertThat(BodyLimit.refusal("-5", 100)).isNull();
    }
}
