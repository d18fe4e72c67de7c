package dev.scratchlm.chat;

import dev.scratchlm.service.DeclaredContentType;
import dev.scratchlm.service.ErrorShape;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}, OpenAI-compatible, streaming or not.
 *
 * <p>Plain Vert.x routes rather than a JAX-RS resource: a streamed answer's bytes go from the model's scheduler thread
 * to the connection's event loop once per decode step (one flushed write per connection and step), with no
 * framework layer per chunk.
 */
@ApplicationScoped
public class CompletionRoutes {
    private static final Logger LOG = Logger.getLogger(CompletionRoutes.class.getName());
    /** Far above any prompt that fits a context window; larger bodies are refused before parsing. */
    static final long MAX_BODY_BYTES = 1 << 20;

    @Inject
    ModelRegistry models;

    @Inject
    AnswerStore store;

    @Inject
    ErrorShape shape;

    @Inject
    MeterRegistry meters;

    private RequestParser parser;
    private Counter tokens, chatRequests, completionRequests, refused;
    private final ExecutorService storeWriter = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "answer-store");
        t.setDaemon(true);
        return t;
    });

    /** A best_of request waits for whole answers on one of these; few, as each holds decode slots while it waits. */
    private final ThreadPoolExecutor ranking =
            new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16), r -> {
                Thread t = new Thread(r, "best-of");
                t.setDaemon(true);
                return t;
            });

    static final long BEST_OF_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

    /** Bodies from this size on are parsed and tokenized on {@link #parsing}, not on the event loop. */
    static final int PARSE_ON_LOOP_BYTES = 8 * 1024;
    /** Two threads (the machine's cores) and a bounded queue: a flood of huge prompts is refused, not queued forever. */
    private final ThreadPoolExecutor parsing =
            new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "prompt-parse");
                t.setDaemon(true);
                return t;
            });

    void routes(@Observes Router router) {
        parser = new RequestParser(models::resolve, models::resolveReward);
        tokens = meters.counter("scratchlm.chat.tokens.generated");
        chatRequests = meters.counter("scratchlm.chat.requests", "endpoint", "chat");
        completionRequests = meters.counter("scratchlm.chat.requests", "endpoint", "completions");
        refused = meters.counter("scratchlm.chat.requests.refused");
        // API keys and cross-site requests are service-common's RequestGuard, before these routes; a completion is
        // JSON.
        // (A route of its own: Vert.x wants the body handler first on a route.)
        router.post("/v1/chat/completions").handler(DeclaredContentType.route(shape, "application/json"));
        router.post("/v1/completions").handler(DeclaredContentType.route(shape, "application/json"));
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> handle(ctx, true))
                .failureHandler(this::failure);
        router.post("/v1/completions")
                .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> handle(ctx, false))
                .failureHandler(this::failure);
        for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
            router.route(path)
                    .handler(ctx -> error(
                            ctx,
                            new OpenAiError(
                                    405,
                                    "invalid_request_error",
                                    null,
                                    null,
                                    "Method not allowed: " + ctx.request().method() + " " + path + "; use POST.")));
        }
    }

    private void handle(RoutingContext ctx, boolean chat) {
        (chat ? chatRequests : completionRequests).increment();
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? null : body.getBytes();
        if (bytes == null || bytes.length < PARSE_ON_LOOP_BYTES) {
            parsed(ctx, bytes, chat);
            return;
        }
        // A large prompt takes milliseconds to tokenize: not on the event loop, which serves every other connection.
        io.vertx.core.Context loop = ctx.vertx().getOrCreateContext();
        try {
            parsing.execute(() -> {
                CompletionRequest req;
                try {
                    req = parse(bytes, chat);
                } catch (RuntimeException e) {
                    loop.runOnContext(v -> failed(ctx, e));
                    return;
                }
                loop.runOnContext(v -> start(ctx, req));
            });
        } catch (RejectedExecutionException e) {
            refused.increment();
            error(
                    ctx,
                    new OpenAiError(
                            429,
                            "rate_limit_exceeded",
                            null,
                            "too_many_requests",
                            "Too many large prompts are waiting to be read; try again shortly."));
        }
    }

    private CompletionRequest parse(byte[] bytes, boolean chat) {
        var json = RequestParser.parseBody(bytes);
        return chat ? parser.chat(json) : parser.completion(json);
    }

    private void parsed(RoutingContext ctx, byte[] bytes, boolean chat) {
        CompletionRequest req;
        try {
            req = parse(bytes, chat);
        } catch (RuntimeException e) {
            failed(ctx, e);
            return;
        }
        start(ctx, req);
    }

    /** On the connection's event loop. */
    private void start(RoutingContext ctx, CompletionRequest req) {
        if (req.bestOf() != null) {
            bestOf(ctx, req);
            return;
        }
        try {
            Answer answer = new Answer(req, ctx.response(), store, storeWriter, tokens, eventLoop(ctx));
            if (!answer.start()) {
                refused.increment();
                error(
                        ctx,
                        answer.scheduler().failure() != null
                                ? new OpenAiError(
                                        503,
                                        "server_error",
                                        "model",
                                        "model_restarting",
                                        "The model '" + req.model().id
                                                + "' is restarting its decoder after a failure; retry shortly.")
                                : answer.scheduler().retired()
                                        ? new OpenAiError(
                                                503,
                                                "server_error",
                                                "model",
                                                "model_unloaded",
                                                "The model '" + req.model().id
                                                        + "' was just unloaded (a newer checkpoint replaced it); see GET /v1/models and retry.")
                                        : new OpenAiError(
                                                429,
                                                "rate_limit_exceeded",
                                                null,
                                                "too_many_requests",
                                                "The model '" + req.model().id
                                                        + "' has too many requests waiting; try again shortly."));
            }
        } catch (RuntimeException e) {
            failed(ctx, e);
        }
    }

    /**
     * best_of: the n answers decode together on the model's scheduler (as campaign candidates do, in slots no waiting
     * chat request needs), the reward model scores each, and the best one is the answer; every candidate with its
     * score comes along in {@code best_of}, best first. Off the event loop: it waits for whole answers.
     */
    private void bestOf(RoutingContext ctx, CompletionRequest req) {
        io.vertx.core.Context loop = ctx.vertx().getOrCreateContext();
        try {
            ranking.execute(() -> {
                String body;
                try {
                    body = bestOfBody(req);
                } catch (RuntimeException e) {
                    loop.runOnContext(v -> failed(ctx, e));
                    return;
                }
                loop.runOnContext(v -> {
                    if (!ctx.response().ended() && !ctx.response().closed()) {
                        ctx.response()
                                .putHeader("Content-Type", "application/json")
                                .end(body);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            refused.increment();
            error(
                    ctx,
                    new OpenAiError(
                            429,
                            "rate_limit_exceeded",
                            null,
                            "too_many_requests",
                            "Too many best_of requests are waiting; try again shortly."));
        }
    }

    private String bestOfBody(CompletionRequest req) {
        CompletionRequest.BestOf b = req.bestOf();
        GenerationParams p = req.params();
        List<GenerationParams> params = new java.util.ArrayList<>();
        for (int i = 0; i < b.n(); i++) {
            params.add(new GenerationParams(
                    p.temperature(), p.topP(), p.topK(), p.seed() + i, p.maxTokens(), p.stop(), false, 0));
        }
        List<Candidates.Decoded> answers;
        try {
            answers = Candidates.decodeAll(
                    req.model(), req.prompt(), params, () -> false, System.nanoTime() + BEST_OF_TIMEOUT_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpenAiError(503, "server_error", null, "interrupted", "Interrupted while decoding the answers.");
        } catch (IllegalStateException e) {
            throw new OpenAiError(
                    503,
                    "server_error",
                    "model",
                    "model_busy",
                    "The answers could not be decoded now (" + e.getMessage() + "); retry shortly.");
        }
        float[] scores;
        try {
            scores = b.reward()
                    .score(
                            req.messages(),
                            answers.stream().map(Candidates.Decoded::text).toList());
        } catch (IllegalArgumentException e) {
            throw OpenAiError.invalid("best_of", e.getMessage());
        }
        Integer[] order = new Integer[answers.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x]));
        Candidates.Decoded best = answers.get(order[0]);
        int completionTokens =
                answers.stream().mapToInt(Candidates.Decoded::tokens).sum();
        String id = "chatcmpl-" + java.util.UUID.randomUUID().toString().replace("-", "");
        String whole = OpenAiJson.completion(
                true,
                id,
                System.currentTimeMillis() / 1000,
                req.model().id,
                best.text(),
                List.of(),
                false,
                best.finish() == BatchScheduler.Finish.LENGTH ? "length" : "stop",
                req.prompt().length,
                completionTokens);
        StringBuilder sb = new StringBuilder(whole.length() + 256);
        sb.append(whole, 0, whole.length() - 1)
                .append(",\"best_of\":{\"n\":")
                .append(b.n())
                .append(",\"reward_model\":");
        JsonText.quote(sb, b.reward().id);
        sb.append(",\"candidates\":[");
        for (int k = 0; k < order.length; k++) {
            Candidates.Decoded a = answers.get(order[k]);
            if (k > 0) sb.append(',');
            sb.append("{\"seed\":")
                    .append(params.get(order[k]).seed())
                    .append(",\"score\":")
                    .append(scores[order[k]])
                    .append(",\"content\":");
            JsonText.quote(sb, a.text());
            sb.append(",\"finish_reason\":");
            JsonText.quote(sb, a.finish() == BatchScheduler.Finish.LENGTH ? "length" : "stop");
            sb.append('}');
        }
        sb.append("]}}");
        tokens.increment(completionTokens);
        return sb.toString();
    }

    private void failed(RoutingContext ctx, RuntimeException e) {
        if (e instanceof OpenAiError a) {
            error(ctx, a);
            return;
        }
        LOG.log(Level.WARNING, "completion request failed", e);
        error(
                ctx,
                new OpenAiError(500, "server_error", null, "internal_error", "Internal error; see the service log."));
    }

    /** The event loop of the request's connection: the answer's writes are handed to it, in one task per decode step. */
    private static Executor eventLoop(RoutingContext ctx) {
        return ((ContextInternal) ctx.vertx().getOrCreateContext()).nettyEventLoop();
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (status >= 500) LOG.log(Level.WARNING, "completion request failed", ctx.failure());
        String message = status == 413
                ? "The request body is larger than " + MAX_BODY_BYTES + " bytes."
                : "The request failed with status " + status + (status >= 500 ? "; see the service log." : ".");
        error(
                ctx,
                new OpenAiError(status, status < 500 ? "invalid_request_error" : "server_error", null, null, message));
    }

    static void error(RoutingContext ctx, OpenAiError e) {
        if (ctx.response().ended() || ctx.response().closed()) return;
        ctx.response()
                .setStatusCode(e.status())
                .putHeader("Content-Type", "application/json")
                .end(e.toJson());
    }
}
