package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scratchlm.contracts.DocumentSpan;
import dev.scratchlm.contracts.TokenShard;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DateRangeLossTest {
    @TempDir
    Path dir;

    @Test
    void bitsPerByteIsTheSummedTokenLossOverTheSelectedDocumentsBytes() {
        GptConfig cfg = new GptConfig(50, 8, 1, 2, 16, 0f);
        int[] tokens = new int[60];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 7 + 3) % 50;
        try (ShardStore store = new ShardStore(dir)) {
            store.append(new TokenShard(
                    TokenShard.SCHEMA,
                    "v",
                    "tok",
                    "val",
                    List.of("early", "late", "later"),
                    60,
                    2,
                    tokens,
                    null,
                    List.of(
                            new DocumentSpan(LocalDate.of(2000, 1, 1), 0, 20, 80),
                            new DocumentSpan(LocalDate.of(2007, 1, 1), 20, 23, 90),
                            new DocumentSpan(LocalDate.of(2012, 1, 1), 43, 17, 70))));
            DocumentSelection late = DocumentSelection.of(
                    store.entries("tok", "val", 60), LocalDate.of(2005, 12, 31), LocalDate.of(2010, 12, 31));
            TokenView view = store.view("tok", "val", 60).restrict(late.starts(), late.lengths());
            Gpt model = new Gpt(cfg, 2, 42);
            Map<String, Object> m = DateRangeLoss.measure(model, view, late);

            // The same sum, one window at a time: tokens 20..42, windows of 9 overlapping by one.
            Gpt one = new Gpt(cfg, 1, 42);
            double sum = 0;
            int counted = 0;
            for (int s = 20; s < 42; s += 8) {
                int len = Math.min(8, 42 - s);
                int[] in = new int[8], tg = new int[8];
                float[] mask = new float[8];
                for (int j = 0; j < len; j++) {
                    in[j] = tokens[s + j];
                    tg[j] = tokens[s + j + 1];
                    mask[j] = 1;
                }
                sum += one.forward(in, tg, mask, 1, 8) * len;
                counted += len;
            }
            assertThat(m.get("documents")).isEqualTo(1);
            assertThat(m.get("tokens")).isEqualTo(22L);
            assertThat(counted).isEqualTo(22);
            assertThat((double) m.get("lossPerToken")).isCloseTo(sum / 22, within(1e-4));
            assertThat((double) m.get("bitsPerByte")).isCloseTo(sum / Math.log(2) / 90, within(1e-4));
            // An untrained model is near uniform over 50 ids.
            assertThat((double) m.get("lossPerToken")).isCloseTo(Math.log(50), within(0.5));
        }
    }
}
