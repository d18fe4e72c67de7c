package dev.scratchlm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.ScratchFormat;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.TokenizerRecord;
import dev.scratchlm.service.ApiError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tokenizer is published whole in one record, so its size is checked before anything is registered. */
class TokenizerRecordSizeTest {

    private static TokenizerRecord record(String definition) {
        return new TokenizerRecord(
                TokenizerRecord.SCHEMA,
                "id",
                65536,
                "cl100k",
                "groups-of-3",
                Map.of("<|endoftext|>", 65531),
                definition,
                Map.of("documents", 1),
                Instant.now());
    }

    @Test
    void aRealTokenizerFits() {
        List<String> texts = TestData.europarl(500).stream().map(l -> l[2]).toList();
        Tokenizer t = BpeTrainer.train(texts, BpeTrainer.Config.of(4096, NumberPolicy.SINGLE));
        TrainingService.checkPublishable(record(ScratchFormat.toText(t)));
    }

    @Test
    void aDefinitionOverTheRecordLimitIsRefusedWithItsSize() {
        // 80,000 merge lines: more than a 65,536-id vocabulary holds (at most ~850 KB as JSON, which fits); the check
        // is what keeps a larger vocabulary limit from publishing records the broker would refuse.
        String merges = "65000 65001\n".repeat(80_000);
        assertThatThrownBy(() -> TrainingService.checkPublishable(record(merges)))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("choose a smaller vocabSize");
                    assertThat((Integer) e.details().get("recordBytes")).isGreaterThan(921_600);
                });
    }
}
