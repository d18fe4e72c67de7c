package dev.scratchlm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's event stream always starts with its status, even when a live event is published between the
 * subscription and the status being sent (the window in which a step event used to overtake the snapshot).
 */
class JobStreamsTest {
    /** Records what a client would receive, in order. */
    static final class Recorded implements JobStreams.Out {
        final List<String> events = new ArrayList<>();
        boolean closed;

        public synchronized void send(String type, String json, Runnable onFail) {
            events.add(type + " " + json);
        }

        public synchronized boolean isClosed() {
            return closed;
        }

        public synchronized void close() {
            closed = true;
        }
    }

    @Test
    void liveEventsPublishedWhileTheStatusIsReadComeAfterIt() {
        JobEvents events = new JobEvents();
        JobStreams streams = new JobStreams();
        Recorded out = new Recorded();
        streams.open(events, "j1", out, () -> {
            // The trainer publishes a step while the stream reads the job's status (the race, made certain).
            events.publish("j1", "step", Map.of("step", 7));
            events.publish("other", "step", Map.of("step", 1));
            return Map.of("state", "RUNNING", "step", 6);
        });
        events.publish("j1", "step", Map.of("step", 8));
        assertThat(out.events).hasSize(3);
        assertThat(out.events.get(0)).startsWith("status ");
        assertThat(out.events.get(1)).isEqualTo("step {\"step\":7}");
        assertThat(out.events.get(2)).isEqualTo("step {\"step\":8}");
        assertThat(out.closed).isFalse();
    }

    @Test
    void anEndHeldBehindTheSnapshotClosesTheStreamAfterIt() {
        JobEvents events = new JobEvents();
        Recorded out = new Recorded();
        new JobStreams().open(events, "j1", out, () -> {
            events.publish("j1", "end", Map.of("state", "DONE"));
            return Map.of("state", "RUNNING", "step", 9);
        });
        assertThat(out.events).extracting(e -> e.split(" ")[0]).containsExactly("status", "end");
        assertThat(out.closed).isTrue();
        assertThat(events.listenerCount()).isZero();
        events.publish("j1", "step", Map.of("step", 10));
        assertThat(out.events).hasSize(2);
    }

    @Test
    void aFinishedJobGetsItsStatusAndAnEnd() {
        JobEvents events = new JobEvents();
        Recorded out = new Recorded();
        new JobStreams().open(events, "j1", out, () -> Map.of("state", JobRepository.DONE, "step", 3));
        assertThat(out.events).extracting(e -> e.split(" ")[0]).containsExactly("status", "end");
        assertThat(out.closed).isTrue();
    }
}
