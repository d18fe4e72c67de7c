package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.gpt.TokenChoice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Continuous batching without a model: a fake decoder whose logits always favour token (slot + 1). */
class BatchSchedulerTest {
    static final int VOCAB = 16, END = 15;

    /** Records every prefill and step; greedy sampling then picks token slot+1 (END never, unless asked). */
    static class FakeDecoder implements Decoder {
        final int slots;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate;
        final CountDownLatch stepEntered = new CountDownLatch(1);
        volatile int stepMillis;

        FakeDecoder(int slots) {
            this.slots = slots;
        }

        public int slots() {
            return slots;
        }

        public int blockSize() {
            return 1000;
        }

        public int vocabSize() {
            return VOCAB;
        }

        public float[] prefill(int slot, int[] prompt) {
            log.add("prefill " + slot + " " + prompt[0]);
            float[] l = new float[VOCAB];
            l[prompt[0] == -1 ? END : slot + 1] = 10;
            return l;
        }

        public void step(int[] slotIds, int[] tokens, int n, float[][] out) {
            stepEntered.countDown();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (stepMillis > 0) {
                try {
                    Thread.sleep(stepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            log.add("step " + Arrays.toString(Arrays.copyOf(slotIds, n)));
            for (int i = 0; i < n; i++) {
                Arrays.fill(out[i], 0f);
                out[i][slotIds[i] + 1] = 10;
            }
        }
    }

    static final class Recorder implements BatchScheduler.Listener {
        final List<Integer> tokens = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile BatchScheduler.Finish finish;
        volatile int count;
        final int stopAfter;

        Recorder(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        public synchronized boolean onToken(TokenChoice c) {
            tokens.add(c.token());
            return tokens.size() < stopAfter;
        }

        public void onFinish(BatchScheduler.Finish reason, int completionTokens, String error) {
            finish = reason;
            count = completionTokens;
            done.countDown();
        }

        void await() throws InterruptedException {
            assertThat(done.await(10, TimeUnit.SECONDS)).as("finished").isTrue();
        }
    }

    private static GenerationParams greedy(int maxTokens) {
        return new GenerationParams(0f, 1f, 0, 1, maxTokens, List.of(), false, 0);
    }

    /** A decoder that prefills several prompts in one call, logging the batch; a prompt starting with -2 is refused. */
    static final class BatchingDecoder extends FakeDecoder {
        BatchingDecoder(int slots) {
            super(slots);
        }

        @Override
        public float[] prefill(int slot, int[] prompt) {
            if (prompt[0] == -2) throw new IllegalArgumentException("token -2 is not in the vocabulary");
            return super.prefill(slot, prompt);
        }

        @Override
        public float[][] prefill(int[] slotIds, int[][] prompts) {
            log.add("batch " + slotIds.length);
            for (int[] p : prompts)
                if (p[0] == -2) throw new IllegalArgumentException("token -2 is not in the vocabulary");
            float[][] out = new float[slotIds.length][];
            for (int i = 0; i < slotIds.length; i++) out[i] = prefill(slotIds[i], prompts[i]);
            return out;
        }

        @Override
        public int maxPrefillTokens() {
            return 1000;
        }
    }

    @Test
    void requestsWaitingTogetherArePrefilledInOnePassAndABadPromptFailsOnlyItsRequest() throws Exception {
        BatchingDecoder d = new BatchingDecoder(4);
        d.gate = new CountDownLatch(1); // the first request's first step waits until the others are queued
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10);
        Recorder first = new Recorder(Integer.MAX_VALUE);
        assertThat(s.submit(new BatchScheduler.Job(new int[] {0}, greedy(3), first)))
                .isTrue();
        assertThat(d.stepEntered.await(5, TimeUnit.SECONDS))
                .as("admitted, now in its gated step")
                .isTrue();
        List<Recorder> rs = new ArrayList<>();
        for (int p : new int[] {1, -2, 3}) {
            Recorder r = new Recorder(Integer.MAX_VALUE);
            rs.add(r);
            assertThat(s.submit(new BatchScheduler.Job(new int[] {p}, greedy(2), r)))
                    .isTrue();
        }
        Recorder[] later = new Recorder[3];
        for (int i = 0; i < 3; i++) {
            later[i] = new Recorder(Integer.MAX_VALUE);
            assertThat(s.submit(new BatchScheduler.Job(new int[] {10 + i}, greedy(2), later[i])))
                    .isTrue();
        }
        d.gate.countDown();
        first.await();
        for (Recorder r : rs) r.await();
        for (Recorder r : later) r.await();

        assertThat(d.log).contains("batch 1"); // the first request, alone
        assertThat(rs.get(0).finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(rs.get(1).finish).as("the bad prompt").isEqualTo(BatchScheduler.Finish.ERROR);
        assertThat(rs.get(2).finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        // The three free slots took the next three waiting requests in one call; refused for the bad prompt, the
        // two good ones were then prefilled one by one. The rest went in as slots came free.
        List<String> prefills = d.log.stream()
                .filter(l -> l.startsWith("prefill") || l.startsWith("batch"))
                .toList();
        assertThat(prefills).containsSubsequence("batch 1", "prefill 0 0", "batch 3", "prefill 1 1", "prefill 3 3");
        assertThat(prefills).doesNotContain("prefill 2 -2");
        for (Recorder r : later) assertThat(r.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
    }

    @Test
    void everyActiveSequenceAdvancesEachStepAndWaitingOnesAreAdmittedInOrder() throws Exception {
        FakeDecoder d = new FakeDecoder(2);
        d.gate = new CountDownLatch(1); // hold the first step until all five are queued
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10);
        List<Recorder> rs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Recorder r = new Recorder(Integer.MAX_VALUE);
            rs.add(r);
            assertThat(s.submit(new BatchScheduler.Job(new int[] {i}, greedy(3 + i), r)))
                    .isTrue();
        }
        d.gate.countDown();
        for (Recorder r : rs) r.await();
        for (int i = 0; i < 5; i++) {
            assertThat(rs.get(i).finish).isEqualTo(BatchScheduler.Finish.LENGTH);
            assertThat(rs.get(i).tokens).hasSize(3 + i);
        }
        List<String> prefills = d.log.stream()
                .filter(l -> l.startsWith("prefill"))
                .map(l -> l.split(" ")[2])
                .toList();
        assertThat(prefills).as("first come, first served").containsExactly("0", "1", "2", "3", "4");
        // While two sequences are active, every step advances both: nobody waits behind anybody.
        long fullSteps = d.log.stream()
                .filter(l -> l.startsWith("step") && l.contains(","))
                .count();
        assertThat(fullSteps).isGreaterThanOrEqualTo(6);
        assertThat(d.log).noneMatch(l -> l.startsWith("step []"));
    }

    @Test
    void aNewRequestStartsBetweenStepsOfARunningOne() throws Exception {
        FakeDecoder d = new FakeDecoder(4);
        d.stepMillis = 2;
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10);
        Recorder longOne = new Recorder(Integer.MAX_VALUE);
        d.gate = new CountDownLatch(1);
        s.submit(new BatchScheduler.Job(new int[] {0}, greedy(50), longOne));
        Recorder shortOne = new Recorder(Integer.MAX_VALUE);
        s.submit(new BatchScheduler.Job(new int[] {1}, greedy(2), shortOne));
        d.gate.countDown();
        shortOne.await();
        assertThat(longOne.done.getCount())
                .as("the short answer finished while the long one was still running")
                .isEqualTo(1);
        longOne.await();
        assertThat(d.log).anyMatch(l -> l.equals("step [0, 1]"));
    }

    @Test
    void endTokenAndListenerStopFinishWithStop() throws Exception {
        FakeDecoder d = new FakeDecoder(2);
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10);
        Recorder ended = new Recorder(Integer.MAX_VALUE);
        s.submit(new BatchScheduler.Job(new int[] {-1}, greedy(10), ended));
        ended.await();
        assertThat(ended.finish).isEqualTo(BatchScheduler.Finish.STOP);
        assertThat(ended.tokens).as("the end token is not text").isEmpty();
        assertThat(ended.count).as("but it was generated").isEqualTo(1);
        Recorder stopped = new Recorder(2);
        s.submit(new BatchScheduler.Job(new int[] {0}, greedy(10), stopped));
        stopped.await();
        assertThat(stopped.finish).isEqualTo(BatchScheduler.Finish.STOP);
        assertThat(stopped.tokens).hasSize(2);
    }

    @Test
    void cancelledSequenceFreesItsSlotAndAFullQueueRefuses() throws Exception {
        FakeDecoder d = new FakeDecoder(1);
        d.gate = new CountDownLatch(1);
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 1);
        Recorder a = new Recorder(Integer.MAX_VALUE),
                b = new Recorder(Integer.MAX_VALUE),
                c = new Recorder(Integer.MAX_VALUE);
        BatchScheduler.Job ja = new BatchScheduler.Job(new int[] {0}, greedy(500), a);
        s.submit(ja);
        assertThat(d.stepEntered.await(5, TimeUnit.SECONDS))
                .as("a is admitted and blocked in its first step")
                .isTrue();
        assertThat(s.submit(new BatchScheduler.Job(new int[] {1}, greedy(2), b)))
                .isTrue();
        assertThat(s.submit(new BatchScheduler.Job(new int[] {2}, greedy(2), c)))
                .as("queue of one is full")
                .isFalse();
        ja.cancel();
        d.gate.countDown();
        a.await();
        b.await();
        assertThat(a.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
        assertThat(b.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(s.retired()).isFalse();
        s.retire();
        assertThat(s.retired())
                .as("a refusal from an unloaded model is told apart from a full queue")
                .isTrue();
        assertThat(s.submit(new BatchScheduler.Job(new int[] {1}, greedy(2), c)))
                .isFalse();
    }

    /** A decoder that refuses any step holding token 7 (a row it cannot decode), checking before it changes anything. */
    static final class PickyDecoder extends FakeDecoder {
        PickyDecoder(int slots) {
            super(slots);
        }

        @Override
        public float[] prefill(int slot, int[] prompt) {
            float[] l = new float[VOCAB];
            l[prompt[0] == 6 ? 7 : slot + 1] = 10; // a prompt starting with 6 makes the sequence sample 7
            return l;
        }

        @Override
        public void step(int[] slotIds, int[] tokens, int n, float[][] out) {
            for (int i = 0; i < n; i++) if (tokens[i] == 7) throw new IllegalStateException("cannot decode token 7");
            super.step(slotIds, tokens, n, out);
        }
    }

    @Test
    void aStepThatFailsForOneSequenceFailsOnlyThatRequestAndTheSchedulerGoesOn() throws Exception {
        PickyDecoder d = new PickyDecoder(3);
        d.gate = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> died =
                new java.util.concurrent.atomic.AtomicReference<>();
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10, died::set);
        Recorder a = new Recorder(Integer.MAX_VALUE),
                bad = new Recorder(Integer.MAX_VALUE),
                c = new Recorder(Integer.MAX_VALUE);
        s.submit(new BatchScheduler.Job(new int[] {0}, greedy(4), a));
        s.submit(new BatchScheduler.Job(new int[] {6}, greedy(4), bad));
        s.submit(new BatchScheduler.Job(new int[] {2}, greedy(4), c));
        d.gate.countDown();
        a.await();
        bad.await();
        c.await();
        assertThat(bad.finish).isEqualTo(BatchScheduler.Finish.ERROR);
        assertThat(a.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(a.tokens).hasSize(4);
        assertThat(c.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(c.tokens).hasSize(4);
        assertThat(s.retired()).as("the model keeps serving").isFalse();
        assertThat(died.get()).isNull();
        Recorder later = new Recorder(Integer.MAX_VALUE);
        assertThat(s.submit(new BatchScheduler.Job(new int[] {1}, greedy(2), later)))
                .isTrue();
        later.await();
        assertThat(later.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
    }

    @Test
    void aSequenceEndsWhenTheContextIsFullWhateverItsLimit() throws Exception {
        FakeDecoder d = new FakeDecoder(1); // a context of 1000 tokens
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10);
        Recorder r = new Recorder(Integer.MAX_VALUE);
        s.submit(new BatchScheduler.Job(new int[] {0, 0, 0}, greedy(Integer.MAX_VALUE), r));
        r.await();
        assertThat(r.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(r.tokens).hasSize(1000 - 3);
    }

    @Test
    void anErrorNoRequestCausedFailsEveryRequestAndIsReportedToTheOwner() throws Exception {
        FakeDecoder d = new FakeDecoder(2) {
            @Override
            public void step(int[] slotIds, int[] tokens, int n, float[][] out) {
                throw new OutOfMemoryError("simulated");
            }
        };
        CountDownLatch died = new CountDownLatch(1);
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10, t -> died.countDown());
        Recorder a = new Recorder(Integer.MAX_VALUE);
        s.submit(new BatchScheduler.Job(new int[] {0}, greedy(4), a));
        a.await();
        assertThat(a.finish).isEqualTo(BatchScheduler.Finish.ERROR);
        assertThat(died.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(s.failure()).hasMessage("simulated");
        assertThat(s.retired()).isTrue();
    }

    private static BatchScheduler.Job background(int prompt, int maxTokens, Recorder r) {
        return new BatchScheduler.Job(new int[] {prompt}, greedy(maxTokens), r, true);
    }

    @Test
    void aLiveRequestWaitingForASlotGoesBeforeBackgroundWorkQueuedEarlier() throws Exception {
        FakeDecoder d = new FakeDecoder(1);
        d.gate = new CountDownLatch(1);
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10, 1, t -> {});
        Recorder first = new Recorder(Integer.MAX_VALUE),
                campaign = new Recorder(Integer.MAX_VALUE),
                live = new Recorder(Integer.MAX_VALUE);
        assertThat(s.submit(new BatchScheduler.Job(new int[] {0}, greedy(3), first)))
                .isTrue();
        assertThat(d.stepEntered.await(5, TimeUnit.SECONDS))
                .as("the only slot is taken")
                .isTrue();
        assertThat(s.submit(background(1, 3, campaign))).isTrue();
        assertThat(s.submit(new BatchScheduler.Job(new int[] {2}, greedy(3), live)))
                .isTrue();
        assertThat(s.load()).isEqualTo(3);
        d.gate.countDown();
        first.await();
        live.await();
        campaign.await();
        List<String> prefills = d.log.stream()
                .filter(l -> l.startsWith("prefill"))
                .map(l -> l.split(" ")[2])
                .toList();
        assertThat(prefills)
                .as("the live request took the freed slot, the campaign's job came after it")
                .containsExactly("0", "2", "1");
        assertThat(campaign.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(campaign.tokens).hasSize(3);
    }

    @Test
    void backgroundWorkHoldsAtMostItsShareOfSlotsAndLiveRequestsStartBesideIt() throws Exception {
        FakeDecoder d = new FakeDecoder(4);
        d.stepMillis = 1;
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10, 2, t -> {});
        List<int[]> steps = Collections.synchronizedList(new ArrayList<>());
        s.observe((slots, n) -> steps.add(Arrays.copyOf(slots, n)));
        d.gate = new CountDownLatch(1);
        List<Recorder> campaign = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Recorder r = new Recorder(Integer.MAX_VALUE);
            campaign.add(r);
            assertThat(s.submit(background(i, 20, r))).isTrue();
        }
        assertThat(d.stepEntered.await(5, TimeUnit.SECONDS)).isTrue();
        int stepsBefore = steps.size();
        List<Recorder> live = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Recorder r = new Recorder(Integer.MAX_VALUE);
            live.add(r);
            assertThat(s.submit(new BatchScheduler.Job(new int[] {10 + i}, greedy(3), r)))
                    .isTrue();
        }
        d.gate.countDown();
        for (Recorder r : live) r.await();
        for (Recorder r : campaign) r.await();
        for (Recorder r : campaign) {
            assertThat(r.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
            assertThat(r.tokens).hasSize(20);
        }
        for (Recorder r : live) assertThat(r.tokens).hasSize(3);
        // Before the live requests: at most two background sequences, not four, though four slots were free (the very
        // first step may hold one: it can start before the second job is submitted). The live ones joined at the very
        // next step, beside two background ones, for their two steps; then two background sequences again.
        assertThat(steps.subList(0, stepsBefore))
                .isNotEmpty()
                .allSatisfy(st -> assertThat(st.length).isBetween(1, 2));
        assertThat(steps.get(stepsBefore)).hasSize(4);
        assertThat(steps.stream().filter(st -> st.length == 4).count()).isEqualTo(2);
        // Without live requests, never more than the two background sequences (fewer once the queue runs dry).
        assertThat(steps).allSatisfy(st -> assertThat(st.length).isIn(1, 2, 4));
    }

    @Test
    void backgroundWorkUsesFreeSlotsOnlyWhileNoLiveRequestWaits() throws Exception {
        FakeDecoder d = new FakeDecoder(2);
        d.gate = new CountDownLatch(1);
        BatchScheduler s = new BatchScheduler("t", d, t -> t == END, 10, 2, t -> {});
        Recorder a = new Recorder(Integer.MAX_VALUE),
                b = new Recorder(Integer.MAX_VALUE),
                c = new Recorder(Integer.MAX_VALUE);
        Recorder bg = new Recorder(Integer.MAX_VALUE);
        // Both slots live; then a background job and a third live request wait: the first slot freed goes to the live
        // one.
        s.submit(new BatchScheduler.Job(new int[] {0}, greedy(2), a));
        s.submit(new BatchScheduler.Job(new int[] {1}, greedy(6), b));
        assertThat(d.stepEntered.await(5, TimeUnit.SECONDS)).isTrue();
        s.submit(background(2, 2, bg));
        s.submit(new BatchScheduler.Job(new int[] {3}, greedy(2), c));
        d.gate.countDown();
        for (Recorder r : List.of(a, b, c, bg)) r.await();
        List<String> prefills = d.log.stream()
                .filter(l -> l.startsWith("prefill"))
                .map(l -> l.split(" ")[2])
                .toList();
        assertThat(prefills).containsExactly("0", "1", "3", "2");
        assertThat(bg.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
    }

    @Test
    void theBackgroundShareMustLeaveRoomInTheSlots() {
        FakeDecoder d = new FakeDecoder(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new BatchScheduler("t", d, t -> t == END, 10, 3, t -> {}))
                .hasMessageContaining("from 1 to the 2 slots");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new BatchScheduler("t", d, t -> t == END, 10, 0, t -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
