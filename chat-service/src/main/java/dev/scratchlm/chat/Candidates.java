package dev.scratchlm.chat;

import dev.scratchlm.gpt.TokenChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Candidate answers to one prompt, decoded as background jobs on the model's own {@link BatchScheduler}: in the same
 * batches as live chat, in the slots live chat does not need. Candidate i is sampled with {@code params.get(i)}, so
 * the same settings and seeds give the same texts.
 */
final class Candidates {
    private Candidates() {}

    /** One candidate's text, assembled on the scheduler thread and read once it is finished. */
    private static final class Candidate implements BatchScheduler.Listener {
        final TextAssembler text;
        final CountDownLatch done;
        BatchScheduler.Finish finish;
        int tokens;
        String error;

        Candidate(LoadedModel model, CountDownLatch done) {
            this.text = new TextAssembler(model.tokenizer, List.of(), false);
            this.done = done;
        }

        @Override
        public boolean onToken(TokenChoice choice) {
            return text.push(choice);
        }

        @Override
        public void onFinish(BatchScheduler.Finish reason, int completionTokens, String error) {
            if (reason != BatchScheduler.Finish.ERROR && reason != BatchScheduler.Finish.CANCELLED) text.finish();
            this.finish = reason;
            this.tokens = completionTokens;
            this.error = error;
            done.countDown();
        }
    }

    /** One decoded candidate: its text, why it ended, and its tokens. */
    record Decoded(String text, BatchScheduler.Finish finish, int tokens) {}

    /** The candidates' texts (see {@link #decodeAll}). */
    static List<String> decode(
            LoadedModel model, int[] prompt, List<GenerationParams> params, BooleanSupplier stop, long deadlineNanos)
            throws InterruptedException {
        return decodeAll(model, prompt, params, stop, deadlineNanos).stream()
                .map(Decoded::text)
                .toList();
    }

    /**
     * @param stop true when the service stops: the jobs are cancelled and nothing is returned
     * @return the candidates, in the order of {@code params}
     * @throws IllegalStateException when they cannot be had now (model unloaded or restarting, its background lane
     *                               full, a decode failure, stopping, past {@code deadlineNanos}): worth a retry
     */
    static List<Decoded> decodeAll(
            LoadedModel model, int[] prompt, List<GenerationParams> params, BooleanSupplier stop, long deadlineNanos)
            throws InterruptedException {
        BatchScheduler scheduler = model.scheduler; // one scheduler for all candidates, even if the model's is replaced
        CountDownLatch done = new CountDownLatch(params.size());
        List<Candidate> candidates = new ArrayList<>(params.size());
        List<BatchScheduler.Job> jobs = new ArrayList<>(params.size());
        try {
            for (GenerationParams p : params) {
                Candidate c = new Candidate(model, done);
                BatchScheduler.Job job = new BatchScheduler.Job(prompt, p, c, true);
                if (!scheduler.submit(job)) {
                    throw new IllegalStateException("model " + model.id
                            + (scheduler.failure() != null
                                    ? " is restarting its decoder"
                                    : scheduler.retired() ? " was unloaded" : " has its background queue full"));
                }
                candidates.add(c);
                jobs.add(job);
            }
            while (!done.await(200, TimeUnit.MILLISECONDS)) {
                if (stop.getAsBoolean()) throw new IllegalStateException("stopping before the candidates were decoded");
                if (System.nanoTime() > deadlineNanos) throw new IllegalStateException("the candidates took too long");
            }
        } catch (RuntimeException | InterruptedException e) {
            jobs.forEach(BatchScheduler.Job::cancel);
            throw e;
        }
        List<Decoded> texts = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (c.finish == BatchScheduler.Finish.ERROR || c.finish == BatchScheduler.Finish.CANCELLED) {
                throw new IllegalStateException("candidate " + i + " of model " + model.id + " ended with " + c.finish
                        + (c.error == null ? "" : ": " + c.error));
            }
            texts.add(new Decoded(c.text.text(), c.finish, c.tokens));
        }
        return texts;
    }
}
