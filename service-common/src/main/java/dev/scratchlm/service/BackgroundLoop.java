package dev.scratchlm.service;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A named daemon thread that runs a session (open clients, loop, close them) until stopped, and starts a fresh
 * session after a failure with a growing pause: a broker or database hiccup costs a reconnect, never the process.
 * {@link #stop} wakes a session blocked in {@code poll} through the hook it registered ({@link #onWakeup}).
 * The last failure stays visible ({@link #lastError}) until the session reports progress ({@link #clearError}).
 */
public final class BackgroundLoop {
    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);
    private static final Backoff RESTART =
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(15), Integer.MAX_VALUE);

    /** One session: runs while {@link BackgroundLoop#running()} says so, throws to be restarted. */
    public interface Session {
        void run(BackgroundLoop loop) throws Exception;
    }

    private final String name;
    private final Session session;
    private final Backoff restart;
    private volatile boolean running;
    private volatile Thread thread;
    private volatile String lastError;
    private volatile Runnable wakeup;

    public BackgroundLoop(String name, Session session) {
        this(name, RESTART, session);
    }

    public BackgroundLoop(String name, Backoff restart, Session session) {
        this.name = name;
        this.session = session;
        this.restart = restart;
    }

    public String name() {
        return name;
    }

    public synchronized void start() {
        if (thread != null) return;
        running = true;
        Thread t = new Thread(this::loop, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** True until {@link #stop} is called (the session's loop condition). */
    public boolean running() {
        return running;
    }

    /** True while the thread runs: false before start, after stop, or if a session ended the loop for good. */
    public boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** The last failure, until the session reports progress again. */
    public String lastError() {
        return lastError;
    }

    public void clearError() {
        lastError = null;
    }

    /** Records a failure the session handles itself (e.g. a record it will retry). */
    public void failed(String error) {
        lastError = error;
    }

    /** What {@link #stop} calls to wake the session, e.g. {@code consumer::wakeup}; the session sets it when it opens its clients. */
    public void onWakeup(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    /** Asks the session to end and waits for it (the session finishes its unit of work first). */
    public void stop(Duration timeout) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        Runnable w = wakeup;
        if (w != null) {
            try {
                w.run();
            } catch (RuntimeException e) {
                LOG.debugf("waking %s: %s", name, e.getMessage());
            }
        }
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(timeout.toMillis());
            if (t.isAlive()) {
                t.interrupt();
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps unless stopped; false when the loop should end. */
    public boolean pause(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (running) {
            long left = end - System.nanoTime();
            if (left <= 0) return true;
            if (!Backoff.sleep(Duration.ofNanos(Math.min(left, 100_000_000L)))) {
                running = false;
                return false;
            }
        }
        return false;
    }

    private void loop() {
        int failures = 0;
        while (running) {
            try {
                session.run(this);
                failures = 0;
            } catch (Throwable e) {
                if (!running) break;
                failures++;
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                Duration pause = restart.delay(failures);
                LOG.warnf(e, "%s failed; restarting in %d ms", name, pause.toMillis());
                pause(pause);
            }
        }
        wakeup = null;
    }
}
