package dev.scratchlm.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What a decode step hands to other threads, released once per step: all the tasks posted for one executor (an
 * HTTP event loop) run as a single task there. With 8 streams that is one wake-up of each event loop per step
 * instead of one per token, and the event loop writes every connection of the step in one go.
 *
 * <p>Used only from the scheduler thread that owns it.
 */
final class StepOutbox {
    private final List<Executor> targets = new ArrayList<>(4);
    private final List<List<Runnable>> tasks = new ArrayList<>(4);

    /** Queues {@code task} to run on {@code target} at the next {@link #flush()}. */
    void post(Executor target, Runnable task) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) == target) {
                tasks.get(i).add(task);
                return;
            }
        }
        targets.add(target);
        List<Runnable> list = new ArrayList<>(8);
        list.add(task);
        tasks.add(list);
    }

    /** Sends each target its queued tasks as one task, in the order they were posted. */
    void flush() {
        for (int i = 0; i < targets.size(); i++) {
            List<Runnable> list = tasks.get(i);
            if (list.isEmpty()) continue;
            Runnable[] batch = list.toArray(new Runnable[0]);
            list.clear();
            targets.get(i).execute(() -> {
                for (Runnable r : batch) r.run();
            });
        }
        // Event loops are few and fixed; forget targets only if something unusual made the list grow.
        if (targets.size() > 64) {
            targets.clear();
            tasks.clear();
        }
    }
}
