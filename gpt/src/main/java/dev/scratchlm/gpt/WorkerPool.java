package dev.scratchlm.gpt;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one task on {@code n} threads (the caller is worker 0) and waits for all: the fork-join behind
 * the model's data parallelism. Workers spin briefly, then park, so an idle pool costs no CPU (two
 * busy-waiting pools on two cores measured 3-5x slower steps). Reused: nothing allocated per run.
 */
final class WorkerPool {
    private static final long SPIN_NANOS = 50_000;

    interface Task {
        void run(int worker);
    }

    private final int n;
    private final Thread[] threads;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Task task;
    private volatile long generation;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean stopped;

    WorkerPool(int n) {
        this.n = n;
        this.threads = new Thread[n];
        for (int i = 1; i < n; i++) {
            final int id = i;
            Thread t = new Thread(() -> loop(id), "gpt-worker-" + i);
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    int size() {
        return n;
    }

    /** Runs {@code t.run(i)} for every worker i, the caller doing i = 0; rethrows a worker's failure. */
    void run(Task t) {
        if (n == 1) {
            t.run(0);
            return;
        }
        task = t;
        caller = Thread.currentThread();
        failure = null;
        remaining.set(n - 1);
        generation++;
        for (int i = 1; i < n; i++) LockSupport.unpark(threads[i]);
        Throwable own = null;
        try {
            t.run(0);
        } catch (Throwable e) {
            own = e;
        }
        long start = System.nanoTime();
        while (remaining.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 100_000);
        }
        task = null;
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error er) throw er;
        if (f != null) throw new IllegalStateException(f);
    }

    /** Lets the worker threads end (called when the owning model becomes unreachable). */
    void shutdown() {
        stopped = true;
        for (int i = 1; i < n; i++) LockSupport.unpark(threads[i]);
    }

    private void loop(int id) {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen) {
                if (stopped) return;
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            seen = generation;
            try {
                task.run(id);
            } catch (Throwable e) {
                failure = e;
            }
            if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }
}
