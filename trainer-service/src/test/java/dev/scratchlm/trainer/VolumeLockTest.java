package dev.scratchlm.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondTrainerOnTheSameVolumeIsRefusedUntilTheFirstLetsGo() {
        VolumeLock first = VolumeLock.acquire(dir);
        assertThatThrownBy(() -> VolumeLock.acquire(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another trainer-service is using");
        first.close();
        VolumeLock.acquire(dir).close();
    }
}
