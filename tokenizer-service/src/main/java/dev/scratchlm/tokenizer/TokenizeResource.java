package dev.scratchlm.tokenizer;

import dev.scratchlm.bpe.Piece;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.service.ApiError;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Shows how a text splits into tokens: ids, text, byte spans and bytes of every piece. */
@Path("/api/tokenize")
@Singleton
public class TokenizeResource {
    @ConfigProperty(name = "tokenizer.tokenize.max-bytes")
    int maxBytes;

    @ConfigProperty(name = "tokenizer.tokenize.max-pieces")
    int maxPieces;

    @Inject
    TokenizerCatalog catalog;

    @Inject
    TokenizerRepository registry;

    /**
     * Encoding runs on two threads of its own (bounded CPU and per-thread encoder caches) with a short queue: an
     * open endpoint flooded with requests answers 503 at once instead of piling up work and waiting threads.
     */
    private final ExecutorService encoders =
            new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(8), r -> {
                Thread t = new Thread(r, "tokenize-api");
                t.setDaemon(true);
                return t;
            });

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> tokenize(TokenizeRequest request) {
        if (request == null || request.text() == null)
            throw ApiError.badRequest("text is required, e.g. {\"text\": \"Hello world\"}");
        String text = request.text();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > maxBytes) {
            throw ApiError.tooLarge("text is " + utf8.length + " bytes; the limit is " + maxBytes + " bytes (UTF-8)")
                    .with("limit", maxBytes);
        }
        String id = request.tokenizer();
        if (id == null || id.isBlank()) {
            id = registry.activeId()
                    .orElseThrow(
                            () -> ApiError.conflict(
                                    "no tokenizer is active yet: name one (\"tokenizer\": \"cl100k_base\") or train one with POST /api/tokenizers"));
        }
        Tokenizer tokenizer = catalog.get(id);
        boolean allowSpecial = Boolean.TRUE.equals(request.allowSpecial());
        List<Piece> pieces = encode(tokenizer, text, allowSpecial);
        if (pieces.size() > maxPieces) { // each piece is a JSON object of its own: the answer's size is bounded too
            throw ApiError.tooLarge("text splits into " + pieces.size() + " pieces; the limit is " + maxPieces
                            + " pieces: send a shorter text")
                    .with("limit", maxPieces);
        }

        HexFormat hex = HexFormat.of();
        List<Map<String, Object>> out = new ArrayList<>(pieces.size());
        for (Piece p : pieces) {
            Map<String, Object> piece = new LinkedHashMap<>();
            piece.put("id", p.id());
            piece.put("text", p.text());
            piece.put("start", p.start());
            piece.put("end", p.end());
            piece.put("bytes", hex.formatHex(utf8, p.start(), Math.min(p.end(), utf8.length)));
            if (p.special()) piece.put("special", true);
            out.add(piece);
        }
        int chars = text.codePointCount(0, text.length());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tokenizer", id);
        body.put("tokenCount", pieces.size());
        body.put("characters", chars);
        body.put("bytes", utf8.length);
        body.put("charsPerToken", pieces.isEmpty() ? null : Math.round(1000.0 * chars / pieces.size()) / 1000.0);
        body.put("bytesPerToken", pieces.isEmpty() ? null : Math.round(1000.0 * utf8.length / pieces.size()) / 1000.0);
        body.put("pieces", out);
        return body;
    }

    private List<Piece> encode(Tokenizer tokenizer, String text, boolean allowSpecial) {
        Future<List<Piece>> job;
        try {
            job = encoders.submit(() -> tokenizer.pieces(text, allowSpecial));
        } catch (RejectedExecutionException e) {
            throw ApiError.unavailable("too many texts are being tokenized; try again shortly");
        }
        try {
            return job.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("encoding failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            job.cancel(true);
            throw ApiError.unavailable("encoding took longer than 30 s; the service is overloaded, try again");
        }
    }

    @PreDestroy
    void close() {
        encoders.shutdownNow();
    }
}
