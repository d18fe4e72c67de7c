package dev.scratchlm.chat;

import dev.scratchlm.gpt.TokenChoice;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One answer on its way to the client. Streaming: a server-sent event per released piece of text, written and
 * flushed from the scheduler thread the moment the token is sampled, then the final chunk (finish_reason, usage)
 * and {@code data: [DONE]}. Not streaming: the whole OpenAI object at the end.
 */
final class Answer implements BatchScheduler.Listener {
    private static final Logger LOG = Logger.getLogger(Answer.class.getName());
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private final CompletionRequest req;
    private final HttpServerResponse response;
    private final AnswerStore store;
    private final Executor blocking;
    private final Counter tokens;
    private final TextAssembler text;
    private final String id, object, model, prefix;
    private final long created;
    private final StringBuilder sb = new StringBuilder(256);
    private final List<TokenLogprob> allLogprobs = new ArrayList<>();
    private int textOffset;
    private volatile BatchScheduler.Job job;

    Answer(CompletionRequest req, HttpServerResponse response, AnswerStore store, Executor blocking, Counter tokens) {
        this.req = req;
        this.response = response;
        this.store = store;
        this.blocking = blocking;
        this.tokens = tokens;
        this.text = new TextAssembler(req.model().tokenizer, req.params().stop(), req.params().logprobs());
        this.id = (req.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        this.object = req.chat() ? (req.stream() ? "chat.completion.chunk" : "chat.completion") : "text_completion";
        this.model = req.model().id;
        this.created = System.currentTimeMillis() / 1000;
        this.prefix = OpenAiJson.chunkPrefix(id, object, created, model);
    }

    /** Sends the headers (and a chat stream's first chunk), queues the job; false when the model's queue is full. */
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
            if (!req.model().scheduler.submit(j)) return false;
            if (first != null) response.write(first);
        }
        return true;
    }

    @Override
    public synchronized boolean onToken(TokenChoice choice) {
        tokens.increment();
        boolean more = text.push(choice);
        if (req.stream()) {
            if (text.hasOutput()) chunk(null);
        } else if (req.params().logprobs()) {
            allLogprobs.addAll(text.takeLogprobs());
        }
        return more && !job.cancelled;
    }

    @Override
    public synchronized void onFinish(BatchScheduler.Finish reason, int completionTokens, String error) {
        if (reason == BatchScheduler.Finish.CANCELLED) {
            if (!response.ended() && !response.closed()) response.end();
            return;
        }
        if (reason == BatchScheduler.Finish.ERROR) {
            ApiError e = new ApiError(500, "server_error", null, "generation_failed", "Generation failed: " + error);
            if (req.stream()) {
                if (response.headWritten()) {
                    sb.setLength(0);
                    sb.append("data: ").append(e.toJson()).append("\n\n");
                    write();
                    end(DONE);
                } else {
                    response.setStatusCode(500).putHeader("Content-Type", "application/json");
                    end(Buffer.buffer(e.toJson()));
                }
            } else {
                response.setStatusCode(500).putHeader("Content-Type", "application/json");
                end(Buffer.buffer(e.toJson()));
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
                write();
            }
            afterStore(() -> end(DONE));
        } else {
            if (req.params().logprobs()) allLogprobs.addAll(text.takeLogprobs());
            String body = OpenAiJson.completion(req.chat(), id, created, model, text.text(), allLogprobs,
                    req.params().logprobs(), finish, promptTokens, completionTokens);
            afterStore(() -> {
                response.putHeader("Content-Type", "application/json");
                end(Buffer.buffer(body));
            });
        }
    }

    /** With {@code store}, the answer is durable before the client learns it is complete (thumbs can follow at once). */
    private void afterStore(Runnable then) {
        if (!req.store()) {
            then.run();
            return;
        }
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
        List<TokenLogprob> lp = finish == null ? text.takeLogprobs() : List.of();
        sb.setLength(0);
        if (req.chat()) {
            OpenAiJson.chatChunk(sb, prefix, null, finish == null ? t : null, lp, req.params().logprobs(), finish);
        } else {
            OpenAiJson.textChunk(sb, prefix, finish == null ? t : "", lp, req.params().logprobs(), textOffset, finish);
            if (t != null) textOffset += t.length();
        }
        write();
    }

    private void write() {
        try {
            if (!response.closed()) response.write(Buffer.buffer(sb.toString()));
        } catch (IllegalStateException e) {
            BatchScheduler.Job j = job;
            if (j != null) j.cancel(); // the client went away
        }
    }

    private void end(Buffer last) {
        try {
            if (!response.ended() && !response.closed()) response.end(last);
        } catch (IllegalStateException e) {
            // closed meanwhile: nothing left to tell
        }
    }

    String id() {
        return id;
    }
}
