package dev.scratchlm.trainer;

import static dev.scratchlm.trainer.ShardStoreTest.range;
import static dev.scratchlm.trainer.ShardStoreTest.shard;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreBatchSourceTest {
    @TempDir
    Path dir;

    @Test
    void windowsAreConsecutiveTokensOfOneSplitWithTargetsShiftedByOne() {
        try (ShardStore store = new ShardStore(dir)) {
            // Train holds ids 0..999 in order, val 2000..2299: a window is consecutive iff its ids step by one.
            store.append(shard("t1", "tok", "train", 3, range(0, 600)));
            store.append(shard("v1", "tok", "val", 1, range(2000, 2300)));
            store.append(shard("t2", "tok", "train", 2, range(600, 1000)));
            int b = 8, t = 16;
            int[] in = new int[b * t], tg = new int[b * t];
            StoreBatchSource val = new StoreBatchSource(store.view("tok", "val", 300), 7);
            StoreBatchSource train = new StoreBatchSource(store.view("tok", "train", 1000), 7);
            for (int k = 0; k < 200; k++) {
                val.next(in, tg, null, b, t);
                for (int i = 0; i < b * t; i++) {
                    assertThat(in[i]).isBetween(2000, 2299);
                    assertThat(tg[i]).isEqualTo(in[i] + 1);
                }
                train.next(in, tg, null, b, t);
                for (int s = 0; s < b; s++) {
                    for (int j = 0; j < t; j++) {
                        assertThat(in[s * t + j]).isBetween(0, 998).isEqualTo(in[s * t] + j);
                        assertThat(tg[s * t + j]).isEqualTo(in[s * t + j] + 1);
                    }
                }
            }
        }
    }

    @Test
    void everyWindowStartIsDrawnIncludingTheLast() {
        try (ShardStore store = new ShardStore(dir)) {
            store.append(shard("t", "tok", "train", 1, range(0, 20)));
            int t = 17; // 20 tokens: windows of 18 start at 0, 1 or 2
            StoreBatchSource src = new StoreBatchSource(store.view("tok", "train", 20), 1);
            int[] in = new int[t], tg = new int[t];
            Set<Integer> starts = new HashSet<>();
            for (int k = 0; k < 200; k++) {
                src.next(in, tg, null, 1, t);
                starts.add(in[0]);
            }
            assertThat(starts).containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    @Test
    void aSeekedSourceDrawsTheBatchesTheOriginalWouldHave() {
        try (ShardStore store = new ShardStore(dir)) {
            store.append(shard("t", "tok", "train", 1, range(0, 5000)));
            TokenView v = store.view("tok", "train", 5000);
            StoreBatchSource a = new StoreBatchSource(v, 42);
            int b = 4, t = 8;
            int[] in = new int[b * t], tg = new int[b * t];
            for (int k = 0; k < 5; k++) a.next(in, tg, null, b, t);
            long position = a.position();
            a.next(in, tg, null, b, t);
            int[] expected = in.clone();

            StoreBatchSource resumed = new StoreBatchSource(v, 999);
            resumed.seek(position);
            resumed.next(in, tg, null, b, t);
            assertThat(in).containsExactly(expected);
        }
    }
}
