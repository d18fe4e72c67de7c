package dev.scratchlm.trainer;

import static dev.scratchlm.trainer.ShardStoreTest.range;
import static dev.scratchlm.trainer.ShardStoreTest.read;
import static dev.scratchlm.trainer.ShardStoreTest.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.contracts.DocumentSpan;
import dev.scratchlm.contracts.TokenShard;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentSelectionTest {
    static final LocalDate CUTOFF = LocalDate.of(2005, 12, 31);

    @TempDir
    Path dir;

    /** Two shards of known documents: token ids are their positions in the split, so a range names itself. */
    static void fill(ShardStore store) {
        // shard 1, tokens 0..29: early (0-9), on the cutoff day (10-14), the day after (15-19), undated (20-29)
        store.append(new TokenShard(
                TokenShard.SCHEMA,
                "s1",
                "tok",
                "train",
                List.of("early", "boundary", "late", "undated"),
                30,
                2,
                range(0, 30),
                LocalDate.of(2006, 1, 1),
                List.of(
                        new DocumentSpan(LocalDate.of(1999, 5, 4), 0, 10, 40),
                        new DocumentSpan(CUTOFF, 10, 5, 21),
                        new DocumentSpan(CUTOFF.plusDays(1), 15, 5, 22),
                        new DocumentSpan(null, 20, 10, 50))));
        // shard 2, tokens 30..49: late (30-39), early (40-49)
        store.append(new TokenShard(
                TokenShard.SCHEMA,
                "s2",
                "tok",
                "train",
                List.of("late2", "early2"),
                20,
                2,
                range(30, 50),
                LocalDate.of(2011, 1, 1),
                List.of(
                        new DocumentSpan(LocalDate.of(2011, 1, 1), 0, 10, 33),
                        new DocumentSpan(LocalDate.of(2001, 2, 3), 10, 10, 30))));
    }

    @Test
    void aCutoffSelectsExactlyTheDocumentsDatedOnOrBeforeIt() {
        try (ShardStore store = new ShardStore(dir)) {
            fill(store);
        }
        // Reopened: the spans come back from the store's index, not from memory.
        try (ShardStore store = new ShardStore(dir)) {
            DocumentSelection sel = DocumentSelection.of(store.entries("tok", "train", 50), null, CUTOFF);
            // early and boundary are adjacent, so one range; early2 is the second.
            assertThat(sel.starts()).containsExactly(0, 40);
            assertThat(sel.lengths()).containsExactly(15, 10);
            assertThat(sel.documents()).isEqualTo(3);
            assertThat(sel.tokens()).isEqualTo(25);
            assertThat(sel.bytes()).isEqualTo(40 + 21 + 30);
            assertThat(sel.newest()).isEqualTo(CUTOFF);
            assertThat(sel.undated()).isEqualTo(1);

            TokenView view = store.view("tok", "train", 50).restrict(sel.starts(), sel.lengths());
            int[] expected = new int[25];
            for (int i = 0; i < 15; i++) expected[i] = i;
            for (int i = 0; i < 10; i++) expected[15 + i] = 40 + i;
            assertThat(read(view)).containsExactly(expected);

            // Every window the batch source draws lies inside the selected documents.
            StoreBatchSource batches = new StoreBatchSource(view, 7);
            int b = 16, t = 4;
            int[] in = new int[b * t], out = new int[b * t];
            Set<Integer> seen = new HashSet<>();
            for (int k = 0; k < 50; k++) {
                batches.next(in, out, new float[b * t], b, t);
                for (int x : in) seen.add(x);
                for (int x : out) seen.add(x);
            }
            Set<Integer> allowed = new HashSet<>();
            for (int x : expected) allowed.add(x);
            assertThat(seen).isSubsetOf(allowed).contains(0, 14, 40, 49);
        }
    }

    @Test
    void aDateRangeIsExclusiveBelowAndInclusiveAbove() {
        try (ShardStore store = new ShardStore(dir)) {
            fill(store);
            DocumentSelection late =
                    DocumentSelection.of(store.entries("tok", "train", 50), CUTOFF, LocalDate.of(2010, 12, 31));
            assertThat(late.starts()).containsExactly(15);
            assertThat(late.lengths()).containsExactly(5);
            DocumentSelection all = DocumentSelection.of(store.entries("tok", "train", 50), CUTOFF, null);
            assertThat(all.starts()).containsExactly(15, 30);
            assertThat(all.newest()).isEqualTo(LocalDate.of(2011, 1, 1));
            DocumentSelection none =
                    DocumentSelection.of(store.entries("tok", "train", 50), null, LocalDate.of(1990, 1, 1));
            assertThat(none.isEmpty()).isTrue();
            assertThat(none.starts()).isEmpty();
        }
    }

    @Test
    void shardsWithoutPerDocumentDatesCannotBeSelected() {
        try (ShardStore store = new ShardStore(dir)) {
            store.append(shard("old", "tok", "train", 2, range(0, 10)));
            assertThatThrownBy(() -> DocumentSelection.of(store.entries("tok", "train", 10), null, CUTOFF))
                    .isInstanceOf(DocumentSelection.UndatedShards.class)
                    .hasMessageContaining("re-tokenize");
        }
    }

    @Test
    void aRestrictedViewRefusesRangesOutsideIt() {
        try (ShardStore store = new ShardStore(dir)) {
            fill(store);
            assertThatThrownBy(() -> store.view("tok", "train", 50).restrict(new long[] {45}, new long[] {10}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Arrays.stream(read(store.view("tok", "train", 50).restrict(new long[] {48}, new long[] {2})))
                            .boxed())
                    .containsExactly(48, 49);
        }
    }
}
