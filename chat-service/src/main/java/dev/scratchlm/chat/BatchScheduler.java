package dev.scratchlm.chat;

import dev.scratchlm.gpt.Sampler;
import dev.scratchlm.gpt.TokenChoice;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching for one model: a single thread owns the KV cache and, each step, advances every active
 * sequence by one token in one batched decode call. New requests are admitted between steps (first come, first
 * served) into free cache slots, so a request arriving mid-answer starts at once instead of waiting behind a lock.
 *
 * <p>Background jobs (a ranking campaign's candidates) wait in a lane of their own and are admitted only when no
 * live request is waiting, and at most {@code maxBackground} of them at once: they never take a slot a waiting chat
 * request could have had, and {@code slots - maxBackground} slots always stay for live chat. A running background
 * sequence is not preempted; it just shares the steps like any other.
 *
 * <p>Each sequence has its own seeded sampler, so its text depends only on its own request and seed, not on
 * which other sequences shared its steps.
 */
final class BatchScheduler {
    private static final Logger LOG = Logger.getLogger(BatchScheduler.class.getName());

    enum Finish {
        STOP,
        LENGTH,
        CANCELLED,
        ERROR
    }

    /** Receives a sequence's tokens on the scheduler thread: keep it quick, it delays every other sequence. */
    interface Listener {
        /** A sampled token (never an end token); return false to end the answer here (a stop sequence matched). */
        boolean onToken(TokenChoice choice);

        /** The answer is over; {@code completionTokens} counts every sampled token, an end token included. */
        void onFinish(Finish reason, int completionTokens, String error);
    }

    /** One request: its prompt, how to sample, where the tokens go. */
    static final class Job {
        final int[] prompt;
        final GenerationParams params;
        final Listener listener;
        final Sampler sampler;
        /** Campaign work: admitted only when no live request waits (see the class comment). */
        final boolean background;

        volatile boolean cancelled;
        int slot = -1, generated, nextToken;

        Job(int[] prompt, GenerationParams params, Listener listener) {
            this(prompt, params, listener, false);
        }

        Job(int[] prompt, GenerationParams params, Listener listener, boolean background) {
            this.prompt = prompt;
            this.params = params;
            this.listener = listener;
            this.background = background;
            this.sampler = new Sampler(params.samplerSettings(), params.seed());
        }

        /** The client went away: the slot is freed at the next step. */
        void cancel() {
            cancelled = true;
        }
    }

    /** Observes steps, for tests: which slots one decode call advanced. */
    interface StepObserver {
        void onStep(int[] slots, int n);
    }

    private final String name;
    private final Decoder decoder;
    private final IntPredicate endToken;
    private final int maxQueued, maxBackground;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ArrayDeque<Job> backgroundQueue = new ArrayDeque<>();
    private final Job[] active;
    private final int[] stepSlots, stepTokens;
    private final Job[] stepJobs;
    private final Job[] admitted;
    private final float[][] logits;
    private final Thread thread;
    private final StepOutbox outbox = new StepOutbox();
    private final Consumer<Throwable> onDeath;
    private volatile StepObserver observer;
    private volatile Throwable failure;
    private boolean retired;
    private int activeCount, backgroundActive;

    /**
     * @param endToken  tokens that end an answer (special tokens)
     * @param maxQueued requests that may wait for a free slot before new ones are refused
     */
    BatchScheduler(String name, Decoder decoder, IntPredicate endToken, int maxQueued) {
        this(name, decoder, endToken, maxQueued, 1, t -> {});
    }

    BatchScheduler(String name, Decoder decoder, IntPredicate endToken, int maxQueued, Consumer<Throwable> onDeath) {
        this(name, decoder, endToken, maxQueued, 1, onDeath);
    }

    /**
     * @param maxBackground background sequences decoded at once, from 1 to the decoder's slots (each lane queues up
     *                      to {@code maxQueued})
     * @param onDeath       called on the scheduler's thread, after every request it held has been failed, when the
     *                      thread ends on an error it cannot pin on one request (its owner reports it and starts a new one)
     */
    BatchScheduler(
            String name,
            Decoder decoder,
            IntPredicate endToken,
            int maxQueued,
            int maxBackground,
            Consumer<Throwable> onDeath) {
        int slots = decoder.slots();
        if (maxBackground < 1 || maxBackground > slots) {
            throw new IllegalArgumentException(
                    "background sequences must be from 1 to the " + slots + " slots, got " + maxBackground);
        }
        this.name = name;
        this.onDeath = onDeath;
        this.decoder = decoder;
        this.endToken = endToken;
        this.maxQueued = maxQueued;
        this.maxBackground = maxBackground;
        this.active = new Job[slots];
        this.stepSlots = new int[slots];
        this.stepTokens = new int[slots];
        this.stepJobs = new Job[slots];
        this.admitted = new Job[slots];
        this.logits = new float[slots][decoder.vocabSize()];
        this.thread = new Thread(this::loop, "decode-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    int blockSize() {
        return decoder.blockSize();
    }

    void observe(StepObserver o) {
        this.observer = o;
    }

    /**
     * Where listeners post work for other threads (writes to HTTP connections) from {@link Listener#onToken} and
     * {@link Listener#onFinish}: released after each step and after each admitted request, one task per target.
     */
    StepOutbox outbox() {
        return outbox;
    }

    /** Queues a request in its lane; false when that lane is full or the model is being unloaded. */
    synchronized boolean submit(Job job) {
        ArrayDeque<Job> lane = job.background ? backgroundQueue : queue;
        if (retired || lane.size() >= maxQueued) return false;
        lane.addLast(job);
        notifyAll();
        return true;
    }

    /** Sequences being generated plus waiting, for metrics and eviction. */
    synchronized int load() {
        return activeCount + queue.size() + backgroundQueue.size();
    }

    /** Unloaded (a newer checkpoint took its place) or dead: takes no new requests. */
    synchronized boolean retired() {
        return retired;
    }

    /** What ended the thread when it died, else null. */
    Throwable failure() {
        return failure;
    }

    /** Stops taking requests; the thread finishes what it has, then ends. */
    synchronized void retire() {
        retired = true;
        notifyAll();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    private void loop() {
        try {
            while (true) {
                if (!admit()) return;
                if (activeCount > 0) step();
                outbox.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "decoder of " + name + " failed", t);
            failure = t;
            failAll(t);
            outbox.flush();
            onDeath.accept(t);
        } finally {
            outbox.flush();
        }
    }

    /**
     * Moves waiting requests into free slots (waiting when idle); false when retired and drained. Requests waiting
     * together are prefilled together, in one pass, as far as the decoder's prefill takes their prompts. Live
     * requests go first; background ones only once no live request is left waiting (see the class comment).
     */
    private boolean admit() throws InterruptedException {
        while (true) {
            int k = 0, tokens = 0;
            synchronized (this) {
                while (activeCount == 0 && queue.isEmpty() && backgroundQueue.isEmpty()) {
                    if (retired) return false;
                    wait();
                }
                while (activeCount < active.length) {
                    ArrayDeque<Job> lane = !queue.isEmpty()
                            ? queue
                            : backgroundActive < maxBackground && !backgroundQueue.isEmpty() ? backgroundQueue : null;
                    if (lane == null) break;
                    Job job = lane.peekFirst();
                    if (job.cancelled) {
                        lane.pollFirst();
                        job.listener.onFinish(Finish.CANCELLED, 0, null);
                        continue;
                    }
                    if (k > 0 && tokens + job.prompt.length > decoder.maxPrefillTokens()) break;
                    lane.pollFirst();
                    int slot = 0;
                    while (active[slot] != null) slot++;
                    job.slot = slot;
                    active[slot] = job;
                    activeCount++;
                    if (job.background) backgroundActive++;
                    admitted[k++] = job;
                    tokens += job.prompt.length;
                }
            }
            if (k == 0) {
                outbox.flush();
                return true;
            }
            float[][] first = prefill(k);
            for (int i = 0; i < k; i++) {
                if (first[i] != null) accept(admitted[i], first[i]);
                admitted[i] = null;
            }
            outbox.flush(); // the first tokens go out now, not after further admissions
        }
    }

    /**
     * Prefills the k admitted requests in one pass; if that is refused (one bad prompt), one by one, so only the
     * bad request fails. A failed request is released and its logits left null.
     */
    private float[][] prefill(int k) {
        int[] slots = new int[k];
        int[][] prompts = new int[k][];
        for (int i = 0; i < k; i++) {
            slots[i] = admitted[i].slot;
            prompts[i] = admitted[i].prompt;
        }
        try {
            return decoder.prefill(slots, prompts);
        } catch (RuntimeException batch) {
            float[][] first = new float[k][];
            for (int i = 0; i < k; i++) {
                try {
                    first[i] = decoder.prefill(admitted[i].slot, admitted[i].prompt);
                } catch (RuntimeException e) {
                    release(admitted[i], Finish.ERROR, e.getMessage());
                }
            }
            return first;
        }
    }

    /** One decode call over every active sequence. */
    private void step() {
        int n = 0;
        for (Job job : active) {
            if (job == null) continue;
            if (job.cancelled) {
                release(job, Finish.CANCELLED, null);
                continue;
            }
            stepSlots[n] = job.slot;
            stepTokens[n] = job.nextToken;
            stepJobs[n++] = job;
        }
        if (n == 0) return;
        StepObserver o = observer;
        if (o != null) o.onStep(stepSlots, n);
        try {
            decoder.step(stepSlots, stepTokens, n, logits);
        } catch (RuntimeException batch) {
            stepOneByOne(n);
            return;
        }
        for (int i = 0; i < n; i++) {
            accept(stepJobs[i], logits[i]);
            stepJobs[i] = null;
        }
    }

    /**
     * A refused batched step (the decoder checks every row before it changes a cache, so none advanced): each
     * sequence is stepped alone, and only those whose own step fails end, with the decoder's reason.
     */
    private void stepOneByOne(int n) {
        int[] slot = new int[1], token = new int[1];
        float[][] out = new float[1][];
        for (int i = 0; i < n; i++) {
            Job job = stepJobs[i];
            stepJobs[i] = null;
            slot[0] = stepSlots[i];
            token[0] = stepTokens[i];
            out[0] = logits[i];
            try {
                decoder.step(slot, token, 1, out);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "decode step of one request to " + name + " failed", e);
                release(job, Finish.ERROR, "decoding failed: " + e.getMessage());
                continue;
            }
            accept(job, logits[i]);
        }
    }

    /** Samples the sequence's next token and hands it to its listener, or ends the sequence. */
    private void accept(Job job, float[] next) {
        TokenChoice c;
        try {
            c = job.sampler.sample(next);
        } catch (RuntimeException e) {
            release(job, Finish.ERROR, e.getMessage());
            return;
        }
        job.generated++;
        if (endToken.test(c.token())) {
            release(job, Finish.STOP, null);
            return;
        }
        boolean more;
        try {
            more = job.listener.onToken(c);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listener failed", e);
            job.cancelled = true;
            more = false;
        }
        if (!more) {
            release(job, job.cancelled ? Finish.CANCELLED : Finish.STOP, null);
        } else if (job.generated >= job.params.maxTokens()
                || job.prompt.length + job.generated >= decoder.blockSize()) {
            // the second test holds even if a request's limit was not checked against the context: the cache is full
            release(job, Finish.LENGTH, null);
        } else {
            job.nextToken = c.token();
        }
    }

    private void release(Job job, Finish reason, String error) {
        synchronized (this) {
            if (active[job.slot] == job) {
                active[job.slot] = null;
                activeCount--;
                if (job.background) backgroundActive--;
            }
        }
        try {
            job.listener.onFinish(reason, job.generated, error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listener failed on finish", e);
        }
    }

    private void failAll(Throwable t) {
        synchronized (this) {
            retired = true;
        }
        for (Job job : active) {
            if (job != null) release(job, Finish.ERROR, "decoder failed: " + t.getMessage());
        }
        Job job;
        while (true) {
            synchronized (this) {
                job = queue.isEmpty() ? backgroundQueue.pollFirst() : queue.pollFirst();
            }
            if (job == null) break;
            job.listener.onFinish(Finish.ERROR, 0, "decoder failed: " + t.getMessage());
        }
    }
}
