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
    private static final ObjectMapper JSON = Json.MAPPER.copy().enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());

    @Inject
    TrainerService trainer;

    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService pinger;

    private final class Stream {
        final SseEventSink sink;
        final Sse sse;
        AutoCloseable subscription;

        Stream(SseEventSink sink, Sse sse) {
            this.sink = sink;
            this.sse = sse;
        }

        synchronized void send(String type, Object data) {
            if (sink.isClosed()) throw new IllegalStateException("stream closed");
            String json;
            try {
                json = JSON.writeValueAsString(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            sink.send(sse.newEventBuilder().name(type).mediaType(MediaType.TEXT_PLAIN_TYPE).data(json).build())
                    .whenComplete((ok, err) -> { if (err != null) close(); });
        }

        synchronized void close() {
            open.remove(this);
            try {
                if (subscription != null) subscription.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
            if (!sink.isClosed()) sink.close();
        }
    }

    @PostConstruct
    void init() {
        pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trainer-sse-ping");
            t.setDaemon(true);
            return t;
        });
        pinger.scheduleAtFixedRate(() -> {
            for (Stream s : open) {
                try {
                    s.send("ping", Map.of("at", System.currentTimeMillis()));
                } catch (RuntimeException e) {
                    s.close();
                }
            }
        }, 15, 15, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        for (Stream s : open) s.close();
        if (pinger != null) pinger.shutdownNow();
    }

    void open(String jobId, SseEventSink sink, Sse sse, Supplier<Map<String, Object>> status) {
        Stream s = new Stream(sink, sse);
        open.add(s);
        // Subscribe before reading the status, so an end between the two is never missed.
        s.subscription = trainer.events().subscribe(jobId, e -> {
            s.send(e.type(), e.data());
            if ("end".equals(e.type())) s.close();
        });
        Map<String, Object> job = status.get();
        s.send("status", job);
        Object state = job.get("state");
        if (JobRepository.DONE.equals(state) || JobRepository.STOPPED.equals(state) || JobRepository.FAILED.equals(state)) {
            s.send("end", Map.of("state", state, "step", job.get("step")));
            s.close();
        }
    }
}
