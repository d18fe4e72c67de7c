package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class StepOutboxTest {
    /** An executor that only records what it was given, to run it later. */
    static final class Recording implements Executor {
        final List<Runnable> given = new ArrayList<>();

        public void execute(Runnable r) {
            given.add(r);
        }
    }

    @Test
    void eachTargetGetsOneTaskPerFlushRunningItsPostsInOrder() {
        StepOutbox box = new StepOutbox();
        Recording a = new Recording(), b = new Recording();
        List<String> ran = new ArrayList<>();
        box.post(a, () -> ran.add("a1"));
        box.post(b, () -> ran.add("b1"));
        box.post(a, () -> ran.add("a2"));
        assertThat(a.given).as("nothing leaves before the flush").isEmpty();
        box.flush();
        assertThat(a.given).hasSize(1);
        assertThat(b.given).hasSize(1);
        a.given.get(0).run();
        b.given.get(0).run();
        assertThat(ran).containsExactly("a1", "a2", "b1");

        box.flush();
        assertThat(a.given).as("an empty step sends nothing").hasSize(1);
        box.post(b, () -> ran.add("b2"));
        box.flush();
        assertThat(a.given).hasSize(1);
        assertThat(b.given).hasSize(2);
        b.given.get(1).run();
        assertThat(ran).endsWith("b2");
    }
}
