package dev.scratchlm.tokenizer;

import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * A named thread that runs a session (open clients, loop, close them) until stopped, and starts a fresh session after
 * a failure with a growing pause. Every consumer loop of the service runs on one of these, so a broker or database
 * hiccup costs a reconnect, never the process.
 */
final class BackgroundLoop {
    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);

    /** One session: runs while {@code running} says so, throws to be restarted. */
    interface Session {
        void run(BackgroundLoop loop) throws Exception;
    }

    private final String name;
    private final Session session;
    private volatile boolean running;
    private volatile Thread thread;
    private volatile String lastError;

    BackgroundLoop(String name, Session session) {
        this.name = name;
        this.session = session;
    }

    synchronized void start() {
        if (thread != null) return;
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    boolean running() {
        return running;
    }

    /** The last failure, if the current session has not yet run cleanly. */
    String lastError() {
        return lastError;
    }

    void clearError() {
        lastError = null;
    }

    /** Asks the session to end and waits for it (the session finishes its unit of work first). */
    void stop(Duration timeout) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
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

    private void loop() {
        long pauseMs = 500;
        while (running) {
            try {
                session.run(this);
                pauseMs = 500;
            } catch (Throwable e) {
                if (!running) break;
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warnf(e, "%s failed; restarting in %d ms", name, pauseMs);
                sleep(pauseMs);
                pauseMs = Math.min(pauseMs * 2, 15_000);
            }
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
