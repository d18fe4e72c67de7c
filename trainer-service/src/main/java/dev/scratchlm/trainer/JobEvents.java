package dev.scratchlm.trainer;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * In-process fan-out of a job's live events (step, eval, checkpoint, state, end) to whoever listens: the
 * server-sent-event streams of the dashboard, and tests. History lives in PostgreSQL; this is only the live feed.
 */
public final class JobEvents {
    private static final Logger LOG = Logger.getLogger(JobEvents.class);

    /** @param jobId the job; type: step, eval, checkpoint, state or end */
    public record Event(String jobId, String type, Map<String, Object> data) {}

    public interface Listener {
        void on(Event event);
    }

    private record Subscription(String jobId, Listener listener) {}

    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    /** Listens to one job's events, or every job's when {@code jobId} is null. Close the result to stop. */
    public AutoCloseable subscribe(String jobId, Listener listener) {
        Subscription s = new Subscription(jobId, listener);
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    public void publish(String jobId, String type, Map<String, Object> data) {
        Event e = new Event(jobId, type, data);
        for (Subscription s : subscriptions) {
            if (s.jobId() != null && !s.jobId().equals(jobId)) continue;
            try {
                s.listener().on(e);
            } catch (RuntimeException ex) {
                // A broken listener (a closed browser tab) must never stop training.
                LOG.debugf("dropping an event listener of job %s: %s", jobId, ex.getMessage());
                subscriptions.remove(s);
            }
        }
    }

    public int listenerCount() {
        return subscriptions.size();
    }
}
