package dev.scratchlm.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.contracts.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The services' test client (JDK HttpClient): JSON in and out, multipart uploads, server-sent event streams and a
 * bearer token. Paths resolve against the base URL; a full {@code http://} URL is used as it is.
 */
public final class TestHttp {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** A finished exchange. */
    public record Reply(int status, String body, String contentType, HttpHeaders headers) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public Map<String, Object> map() {
            try {
                return Json.MAPPER.readValue(body, new TypeReference<>() {});
            } catch (IOException e) {
                throw new AssertionError("not a JSON object (" + status + "): " + body, e);
            }
        }

        public List<Map<String, Object>> list() {
            try {
                return Json.MAPPER.readValue(body, new TypeReference<>() {});
            } catch (IOException e) {
                throw new AssertionError("not a JSON list (" + status + "): " + body, e);
            }
        }

        /** The error message of the services' one error body, {@code {"error": "..."}}. */
        public String error() {
            JsonNode e = json().get("error");
            if (e == null || !e.isTextual()) throw new AssertionError("no error message (" + status + "): " + body);
            return e.asText();
        }
    }

    /** A streamed answer: every {@code data:} payload in order. */
    public record Stream(int status, String contentType, List<String> events) {
        /** The payloads parsed as JSON, without the closing {@code [DONE]}. */
        public List<JsonNode> chunks() {
            List<JsonNode> out = new ArrayList<>();
            for (String e : events) {
                if (e.equals("[DONE]")) continue;
                try {
                    out.add(Json.MAPPER.readTree(e));
                } catch (IOException ex) {
                    throw new AssertionError("bad chunk " + e, ex);
                }
            }
            return out;
        }
    }

    private final URI base;
    private final String bearer;

    public TestHttp() {
        this((URI) null, null);
    }

    public TestHttp(String base) {
        this(URI.create(base.endsWith("/") ? base : base + "/"), null);
    }

    public TestHttp(URL base) {
        this(base.toString());
    }

    private TestHttp(URI base, String bearer) {
        this.base = base;
        this.bearer = bearer;
    }

    /** The JDK client underneath, for what this class does not cover (e.g. an asynchronous event stream). */
    public static HttpClient client() {
        return CLIENT;
    }

    /** The same client sending {@code Authorization: Bearer <token>}. */
    public TestHttp withToken(String token) {
        return new TestHttp(base, token);
    }

    public URI uri(String path) {
        if (path.startsWith("http://") || path.startsWith("https://")) return URI.create(path);
        if (base == null) throw new IllegalStateException("no base URL for " + path);
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
    }

    public Reply get(String path) {
        return send(request(path).GET());
    }

    /** POSTs {@code body} as application/json: a String as it is, anything else through the JSON mapper. */
    public Reply post(String path, Object body) {
        String json = body instanceof String s ? s : Json.string(body);
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Reply post(String path, String contentType, byte[] body) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return send(b);
    }

    /** multipart/form-data: plain fields, and file parts (file name -> bytes) under the part name {@code file}. */
    public Reply postFiles(String path, Map<String, byte[]> files, Map<String, String> fields) {
        String boundary = "----scratchlm" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, String> f : fields.entrySet()) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                                + f.getValue() + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                                + f.getKey() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.write(f.getValue());
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return post(path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    public Reply send(HttpRequest.Builder b) {
        if (bearer != null) b.setHeader("Authorization", "Bearer " + bearer);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    r.statusCode(),
                    r.body(),
                    r.headers().firstValue("Content-Type").orElse(""),
                    r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** POSTs JSON and reads a server-sent event stream to its end. */
    public Stream stream(String path, String json) {
        HttpRequest.Builder b = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) b.setHeader("Authorization", "Bearer " + bearer);
        try {
            HttpResponse<InputStream> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) events.add(line.substring(6));
                    else if (!line.isEmpty()) events.add("!unexpected line: " + line);
                }
            }
            return new Stream(
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
