package dev.scratchlm.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One trainer per volume: two processes appending to the same shard files or resuming the same job would corrupt
 * both. The lock is taken before anything else starts and released by the operating system if the process dies.
 */
final class VolumeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private VolumeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static VolumeLock acquire(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            FileChannel ch = FileChannel.open(
                    stateDir.resolve("trainer.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new IllegalStateException("another trainer-service is using " + stateDir
                        + ": one trainer per volume (stop it, or give this one its own SCRATCHLM_STATE_DIR)");
            }
            return new VolumeLock(ch, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + stateDir, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process is exiting; the OS drops the lock anyway
        }
    }
}
