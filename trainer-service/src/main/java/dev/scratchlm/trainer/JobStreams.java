package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.contracts.Json;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bridges {@link JobEvents} to server-sent-event streams. A stream starts with the job's status (so a page can draw
 * at once), then carries the live events; a ping every 15 s finds streams whose browser tab is gone.
 */
@ApplicationScoped
public class JobStreams {
    /** Event data is JSON; a diverged loss (NaN) must not make it unparsable. */
    private static final ObjectMapper JSON =
            Json.MAPPER.copy().enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());

    @Inject
    TrainerService trainer;

    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService pinger;

    /** Where a stream's events go: an SSE connection (or, in tests, a list). */
    interface Out {
        /** Sends one event; {@code onFail} runs if it cannot be delivered. */
        void send(String type, String json, Runnable onFail);

        boolean isClosed();

        void close();
    }

    /**
     * One open stream. Live events that arrive before the status snapshot is sent are held and sent after it, in
     * order: the snapshot is always the first event a client sees.
     */
    final class Stream {
        private final Out out;
        private final java.util.List<JobEvents.Event> held = new java.util.ArrayList<>();
        private boolean snapshotSent;
        AutoCloseable subscription;

        Stream(Out out) {
            this.out = out;
        }

        /** A live event: sent now if the snapshot has gone out, else held until it has. */
        synchronized void live(JobEvents.Event e) {
            if (!snapshotSent) {
                held.add(e);
                return;
            }
            send(e.type(), e.data());
            if ("end".equals(e.type())) close();
        }

        /** Sends the status snapshot, then every live event held meanwhile. */
        synchronized void snapshot(Map<String, Object> job) {
            send("status", job);
            snapshotSent = true;
            for (JobEvents.Event e : held) {
                if (out.isClosed()) break;
                live(e);
            }
            held.clear();
        }

        /** Keeps the connection checked; not before the snapshot, which must stay the first event. */
        synchronized void ping() {
            if (snapshotSent) send("ping", Map.of("at", System.currentTimeMillis()));
        }

        synchronized void send(String type, Object data) {
            if (out.isClosed()) throw new IllegalStateException("stream closed");
            String json;
            try {
                json = JSON.writeValueAsString(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            out.send(type, json, this::close);
        }

        synchronized void close() {
            open.remove(this);
            try {
                if (subscription != null) subscription.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
            if (!out.isClosed()) out.close();
        }
    }

    private static Out sse(SseEventSink sink, Sse sse) {
        return new Out() {
            public void send(String type, String json, Runnable onFail) {
                sink.send(sse.newEventBuilder()
                                .name(type)
                                .mediaType(MediaType.TEXT_PLAIN_TYPE)
                                .data(json)
                                .build())
                        .whenComplete((ok, err) -> {
                            if (err != null) onFail.run();
                        });
            }

            public boolean isClosed() {
                return sink.isClosed();
            }

            public void close() {
                sink.close();
            }
        };
    }

    @PostConstruct
    void init() {
        pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trainer-sse-ping");
            t.setDaemon(true);
            return t;
        });
        pinger.scheduleAtFixedRate(
                () -> {
                    for (Stream s : open) {
                        try {
                            s.ping();
                        } catch (RuntimeException e) {
                            s.close();
                        }
                    }
                },
                15,
                15,
                TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        for (Stream s : open) s.close();
        if (pinger != null) pinger.shutdownNow();
    }

    void open(String jobId, SseEventSink sink, Sse sse, Supplier<Map<String, Object>> status) {
        open(trainer.events(), jobId, sse(sink, sse), status);
    }

    Stream open(JobEvents events, String jobId, Out out, Supplier<Map<String, Object>> status) {
        Stream s = new Stream(out);
        open.add(s);
        // Subscribe before reading the status, so an end between the two is never missed; events from then on are
        // held until the status has been sent.
        s.subscription = events.subscribe(jobId, s::live);
        Map<String, Object> job = status.get();
        Object state = job.get("state");
        synchronized (s) {
            s.snapshot(job);
            if (!out.isClosed()
                    && (JobRepository.DONE.equals(state)
                            || JobRepository.STOPPED.equals(state)
                            || JobRepository.FAILED.equals(state))) {
                s.send("end", Map.of("state", state, "step", job.get("step")));
                s.close();
            }
        }
        return s;
    }
}
