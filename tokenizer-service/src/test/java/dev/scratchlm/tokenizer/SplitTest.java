package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.TokenShard;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {

    /** Pinned against an independent implementation (Python's hashlib): the rule other services can recompute. */
    @Test
    void theRuleIsFirstFourBytesOfSha256ModuloTwenty() {
        assertThat(Split.of("doc-0")).isEqualTo(TokenShard.VAL); // 0 mod 20
        assertThat(Split.of("doc-1")).isEqualTo(TokenShard.TRAIN); // 13
        assertThat(Split.of("abc")).isEqualTo(TokenShard.TRAIN); // 19
        List<String> val = IntStream.range(0, 200)
                .mapToObj(i -> "id-" + i)
                .filter(Split::isVal)
                .toList();
        assertThat(val).containsExactly("id-82", "id-109", "id-125", "id-129", "id-155", "id-166");
    }

    @Test
    void aboutOneInTwentyIsValidationAndTheAnswerNeverChanges() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) ids.add(Integer.toHexString(i * 2654435761L > 0 ? i * 31 : i) + "-" + i);
        long val = ids.stream().filter(Split::isVal).count();
        assertThat(val).isBetween(4_500L, 5_500L);
        for (String id : ids.subList(0, 1000)) assertThat(Split.of(id)).isEqualTo(Split.of(new String(id)));
    }
}
