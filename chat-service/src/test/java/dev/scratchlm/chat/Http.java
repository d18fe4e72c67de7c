package dev.scratchlm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small JSON-over-HTTP client for the tests: status, parsed body, and server-sent event streams. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Response(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** A streamed answer: every {@code data:} payload in order (the last should be [DONE]). */
    record Stream(int status, String contentType, List<String> events) {
        List<JsonNode> chunks() {
            List<JsonNode> out = new ArrayList<>();
            for (String e : events) {
                if (e.equals("[DONE]")) continue;
                try {
                    out.add(JSON.readTree(e));
                } catch (IOException ex) {
                    throw new AssertionError("bad chunk " + e, ex);
                }
            }
            return out;
        }
    }

    private Http() {}

    static Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), null);
    }

    static Response post(String url, String body) {
        return post(url, body, null);
    }

    static Response post(String url, String body, String bearer) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), bearer);
    }

    static Response send(HttpRequest.Builder b, String bearer) {
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        try {
            HttpResponse<String> r = CLIENT.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Stream stream(String url, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<InputStream> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofInputStream());
            List<String> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) events.add(line.substring(6));
                    else if (!line.isEmpty()) events.add("!unexpected line: " + line);
                }
            }
            return new Stream(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
