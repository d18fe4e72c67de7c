package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models load within a memory budget (weights, decoder snapshot, KV caches for every slot): an older model that is
 * no stage's newest is unloaded to make room; a model that cannot fit even then is refused with the reason, and
 * what is loaded stays loaded.
 */
class MemoryBudgetTest {
    @TempDir
    Path dir;

    @Test
    void loadsWithinTheBudgetUnloadingWhatNeedNotStayAndRefusesWhatCannotFit() throws Exception {
        Tokenizer tok = BpeTrainer.train(
                List.of("the cat sat on the mat. ".repeat(20)), BpeTrainer.Config.of(300, NumberPolicy.GPT2));
        ModelRegistry r = new ModelRegistry();
        r.slots = 2;
        r.maxQueued = 4;
        r.maxBackground = 1;
        r.maxLoaded = 10;
        GptConfig small = new GptConfig(tok.vocabSize(), 32, 1, 1, 16, 0f);
        GptConfig big = new GptConfig(tok.vocabSize(), 256, 4, 4, 256, 0f);
        long smallBytes = r.footprint(small, false);
        assertThat(r.footprint(big, false)).isGreaterThan(40 * smallBytes);
        // Room for three small models (at least 1 MB, the setting's unit), not for the big one.
        r.memoryMb = Math.max(1, (3 * smallBytes + (smallBytes >> 1)) >> 20);
        long budget = r.memoryBudget();
        int fits = (int) (budget / smallBytes);
        r.tokenizerArrived(TestModels.tokenizerRecord(tok));

        // Old sft checkpoints: each new one is the stage's newest, the older ones may go when room is needed.
        for (int i = 0; i <= fits; i++) arrive(r, "sft-" + i, "sft", small, tok);
        arrive(r, "pre-0", "pretrain", small, tok);
        @SuppressWarnings("unchecked")
        List<Object> loaded = (List<Object>) r.status().get("loaded");
        assertThat(loaded).contains("sft-" + fits, "pre-0").doesNotContain("sft-0");
        assertThat((long) loaded.size() * smallBytes).isLessThanOrEqualTo(budget);

        arrive(r, "huge", "dpo", big, tok);
        Map<?, ?> rejected = (Map<?, ?>) r.status().get("rejected");
        assertThat(rejected.get("huge").toString()).contains("memory budget").contains("chat.models.memory-mb");
        assertThat(r.status().get("loaded")).isEqualTo(loaded);
        for (LoadedModel m : r.loaded()) m.unload();
    }

    private void arrive(ModelRegistry r, String id, String stage, GptConfig cfg, Tokenizer tok) throws Exception {
        Path blob = dir.resolve(id + ".ckpt");
        Files.write(
                blob,
                Checkpoint.weightsOnly(new Gpt(cfg, 1, 3), tok.id(), Map.of(), Map.of())
                        .toBytes());
        r.checkpointArrived(
                new CheckpointManifest(
                        CheckpointManifest.SCHEMA,
                        id,
                        stage,
                        1,
                        null,
                        tok.id(),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        Files.size(blob),
                        1,
                        "",
                        Instant.now()),
                blob,
                true);
    }
}
