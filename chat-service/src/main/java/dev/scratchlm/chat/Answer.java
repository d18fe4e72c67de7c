package dev.scratchlm.chat;

import dev.scratchlm.gpt.TokenChoice;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One answer on its way to the client. Streaming: a server-sent event per released piece of text, then the final
 * chunk (finish_reason), the usage chunk and {@code data: [DONE]}, which go out together with the response's end.
 * Not streaming: the whole OpenAI object at the end.
 *
 * <p>Threads: the scheduler thread produces the bytes; only the connection's event loop writes them. Each decode
 * step's bytes for this connection are handed over through the scheduler's {@link StepOutbox}, so the event loop is
 * woken once per step for all its connections, and a token is written in the step that sampled it.
 */
final class Answer implements BatchScheduler.Listener {
    private static final Logger LOG = Logger.getLogger(Answer.class.getName());
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    // The fixed end of a token chunk without logprobs (see OpenAiJson.textChunk and chatChunk).
    private static final byte[] TEXT_TAIL =
            ",\"logprobs\":null,\"finish_reason\":null}]}\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHAT_TAIL =
            "},\"logprobs\":null,\"finish_reason\":null}]}\n\n".getBytes(StandardCharsets.US_ASCII);

    private final CompletionRequest req;
    private final HttpServerResponse response;
    private final AnswerStore store;
    private final Executor blocking, loop;
    private final StepOutbox outbox;
    private final Counter tokens;
    private final TextAssembler text;
    private final String id, object, model, prefix;
    /** The bytes of a token chunk before its quoted text: the chunk prefix and the text's key. */
    private final byte[] tokenHead;

    private final long created;
    private final StringBuilder sb = new StringBuilder(256);
    private final List<TokenLogprob> allLogprobs = new ArrayList<>();
    private int textOffset;
    private final Runnable send = this::send;
    private volatile BatchScheduler.Job job;
    // Guarded by this: bytes produced but not yet handed to the connection, and whether the response ends after them.
    private Buffer pending;
    private boolean ending, streamed;
    private final BatchScheduler scheduler;

    /**
     * @param loop the event loop of the request's connection (its writes happen there); {@code outbox} is the model
     *             scheduler's, through which the scheduler thread hands over each step's bytes
     */
    Answer(
            CompletionRequest req,
            HttpServerResponse response,
            AnswerStore store,
            Executor blocking,
            Counter tokens,
            Executor loop) {
        this.req = req;
        this.response = response;
        this.store = store;
        this.blocking = blocking;
        this.tokens = tokens;
        this.loop = loop;
        this.scheduler = req.model().scheduler; // one scheduler for the whole answer, even if the model's is replaced
        this.outbox = scheduler.outbox();
        this.text = new TextAssembler(
                req.model().tokenizer, req.params().stop(), req.params().logprobs());
        this.id = (req.chat() ? "chatcmpl-" : "cmpl-")
                + UUID.randomUUID().toString().replace("-", "");
        this.object = req.chat() ? (req.stream() ? "chat.completion.chunk" : "chat.completion") : "text_completion";
        this.model = req.model().id;
        this.created = System.currentTimeMillis() / 1000;
        this.prefix = OpenAiJson.chunkPrefix(id, object, created, model);
        this.tokenHead =
                (prefix + (req.chat() ? "\"delta\":{\"content\":" : "\"text\":")).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends the headers (and a chat stream's first chunk), queues the job; false when the model's queue is full.
     * Called on the connection's event loop.
     */
    /** The scheduler this answer was (or would have been) queued on. */
    BatchScheduler scheduler() {
        return scheduler;
    }

    boolean start() {
        BatchScheduler.Job j = new BatchScheduler.Job(req.prompt(), req.params(), this);
        this.job = j;
        response.closeHandler(v -> j.cancel());
        if (req.stream()) {
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
        }
        boolean roleChunk = req.stream() && req.chat();
        if (roleChunk) { // built before the job can produce tokens, sent once it is accepted
            OpenAiJson.chatChunk(sb, prefix, "assistant", "", null, false, null);
        }
        Buffer first = roleChunk ? Buffer.buffer(sb.toString()) : null;
        synchronized (this) {
            if (!scheduler.submit(j)) return false;
            if (first != null) {
                streamed = true;
                response.write(first);
            }
        }
        return true;
    }

    @Override
    public synchronized boolean onToken(TokenChoice choice) {
        tokens.increment();
        boolean more = text.push(choice);
        if (req.stream()) {
            if (text.hasOutput()) {
                chunk(null);
                outbox.post(loop, send);
            }
        } else if (req.params().logprobs()) {
            allLogprobs.addAll(text.takeLogprobs());
        }
        return more && !job.cancelled;
    }

    @Override
    public synchronized void onFinish(BatchScheduler.Finish reason, int completionTokens, String error) {
        if (reason == BatchScheduler.Finish.CANCELLED) {
            ending = true;
            outbox.post(loop, send);
            return;
        }
        if (reason == BatchScheduler.Finish.ERROR) {
            OpenAiError e =
                    new OpenAiError(500, "server_error", null, "generation_failed", "Generation failed: " + error);
            if (req.stream() && streamed) {
                sb.setLength(0);
                sb.append("data: ").append(e.toJson()).append("\n\n");
                queue(sb);
                queue(DONE);
                ending = true;
                outbox.post(loop, send);
            } else {
                Buffer body = Buffer.buffer(e.toJson());
                loop.execute(() -> endWith(500, body));
            }
            return;
        }
        text.finish();
        String finish = reason == BatchScheduler.Finish.LENGTH ? "length" : "stop";
        int promptTokens = req.prompt().length;
        if (req.stream()) {
            if (text.hasOutput()) chunk(null);
            chunk(finish);
            if (req.includeUsage()) {
                sb.setLength(0);
                OpenAiJson.usageChunk(sb, id, object, created, model, promptTokens, completionTokens);
                queue(sb);
            }
            if (!req.store()) {
                queue(DONE);
                ending = true;
                outbox.post(loop, send);
            } else {
                outbox.post(loop, send); // what is ready goes out now; [DONE] once the answer is durable
                afterStore(() -> {
                    synchronized (this) {
                        queue(DONE);
                        ending = true;
                    }
                    loop.execute(send);
                });
            }
        } else {
            if (req.params().logprobs()) allLogprobs.addAll(text.takeLogprobs());
            Buffer body = Buffer.buffer(OpenAiJson.completion(
                    req.chat(),
                    id,
                    created,
                    model,
                    text.text(),
                    allLogprobs,
                    req.params().logprobs(),
                    finish,
                    promptTokens,
                    completionTokens));
            if (!req.store()) loop.execute(() -> endWith(200, body));
            else afterStore(() -> loop.execute(() -> endWith(200, body)));
        }
    }

    /** With {@code store}, the answer is durable before the client learns it is complete (thumbs can follow at once). */
    private void afterStore(Runnable then) {
        String answer = text.text();
        blocking.execute(() -> {
            try {
                store.save(id, model, req.messages(), answer);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot store answer " + id, e);
            }
            then.run();
        });
    }

    /** A chunk with the text (and logprobs) released since the last one; {@code finish} marks the last chunk. */
    private void chunk(String finish) {
        String t = finish == null ? text.takeText() : null;
        if (finish == null && !req.params().logprobs()) {
            // The common case from pre-built bytes: head, the quoted text, a fixed tail.
            sb.setLength(0);
            JsonText.quote(sb, t);
            Buffer b = pending();
            b.appendBytes(tokenHead).appendString(sb.toString()).appendBytes(req.chat() ? CHAT_TAIL : TEXT_TAIL);
            if (!req.chat()) textOffset += t.length();
            return;
        }
        List<TokenLogprob> lp = finish == null ? text.takeLogprobs() : List.of();
        sb.setLength(0);
        if (req.chat()) {
            OpenAiJson.chatChunk(
                    sb,
                    prefix,
                    null,
                    finish == null ? t : null,
                    lp,
                    req.params().logprobs(),
                    finish);
        } else {
            OpenAiJson.textChunk(
                    sb, prefix, finish == null ? t : "", lp, req.params().logprobs(), textOffset, finish);
            if (t != null) textOffset += t.length();
        }
        queue(sb);
    }

    private Buffer pending() {
        if (pending == null) pending = Buffer.buffer(256);
        streamed = true;
        return pending;
    }

    private void queue(CharSequence s) {
        pending().appendString(s.toString());
    }

    private void queue(byte[] b) {
        pending().appendBytes(b);
    }

    /** On the event loop: writes what is pending, and ends the response if the answer is over. */
    private void send() {
        Buffer out;
        boolean end;
        synchronized (this) {
            out = pending;
            pending = null;
            end = ending;
        }
        if (response.ended()) return;
        if (response.closed()) {
            cancelJob(); // the client went away
            return;
        }
        try {
            if (end) {
                if (out != null) response.end(out);
                else response.end();
            } else if (out != null) {
                response.write(out);
            }
        } catch (IllegalStateException e) {
            cancelJob();
        }
    }

    /** On the event loop: a whole non-streamed response (or an error before anything was streamed). */
    private void endWith(int status, Buffer body) {
        try {
            if (response.ended() || response.closed()) return;
            response.setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(body);
        } catch (IllegalStateException e) {
            // closed meanwhile: nothing left to tell
        }
    }

    private void cancelJob() {
        BatchScheduler.Job j = job;
        if (j != null) j.cancel();
    }

    String id() {
        return id;
    }
}
