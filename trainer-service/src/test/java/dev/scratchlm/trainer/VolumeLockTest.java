package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondTrainerOnTheSameVolumeIsRefusedUntilTheFirstLetsGo() {
        VolumeLock first = VolumeLock.acquire(dir);
        assertThatThrownBy(() -> VolumeLock.acquire(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another trainer-service is using");
        first.close();
        VolumeLock.acquire(dir).close();
    }
}
