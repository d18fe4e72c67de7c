package dev.scratchlm.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.ingest.catalog.Outcome;
import dev.scratchlm.ingest.pipeline.Doc;
import dev.scratchlm.ingest.pipeline.ExtractText;
import dev.scratchlm.ingest.pipeline.Normalize;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.Rejection;
import dev.scratchlm.ingest.pipeline.SourcePolicy;
import dev.scratchlm.ingest.pipeline.Step;
import dev.scratchlm.ingest.source.ReadLimits;
import dev.scratchlm.ingest.source.Readers;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskProcessorTest {
    /** A step with a bug that only one record triggers. */
    static final class Fragile implements Step {
        public String name() {
            return "fragile";
        }

        public String description() {
            return "fails on 'boom'";
        }

        public Rejection apply(Doc doc, SourcePolicy policy) {
            if (doc.text.contains("boom")) throw new IllegalStateException("index out of range");
            return null;
        }
    }

    /** Readers whose every upload is this JSONL. */
    static Readers uploaded(String jsonl) {
        return new Readers(
                new ReadLimits(1 << 20, 1L << 30, 100),
                id -> new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)));
    }

    /** The task of an uploaded a.jsonl: its records from the first up to {@code end}. */
    static IngestTask uploadTask(long end) {
        return new IngestTask(
                IngestTask.SCHEMA,
                "t1",
                "s1",
                "files",
                "jsonl",
                "upload:u1",
                null,
                "a.jsonl",
                0,
                end,
                LocalDate.of(2010, 12, 31),
                "accept",
                List.of("en"),
                null,
                null,
                null);
    }

    @Test
    void aStepFailingOnOneRecordRejectsThatRecordAndTheRestOfTheFileGoesOn() {
        Readers readers = uploaded(
                "{\"text\": \"first fine record\"}\n{\"text\": \"this one goes boom\"}\n{\"text\": \"third fine record\"}\n");
        IngestTask task = uploadTask(Long.MAX_VALUE);
        TaskProcessor processor =
                new TaskProcessor(readers, new Pipeline(List.of(new ExtractText(), new Normalize(), new Fragile())));

        List<Outcome> outcomes = processor.process(task);

        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(0).accepted()).isTrue();
        assertThat(outcomes.get(1).accepted()).isFalse();
        assertThat(outcomes.get(1).filter()).isEqualTo("internal");
        assertThat(outcomes.get(1).reason()).contains("index out of range");
        assertThat(outcomes.get(2).accepted()).isTrue();
        // Re-processing (a replayed task) decides the same.
        assertThat(processor.process(task)).extracting(Outcome::filter).containsExactly(null, "internal", null);
    }

    @Test
    void aFileThatShrankSincePlanningEndsItsTaskWithOneRejectionSayingSo() {
        Readers readers = uploaded("{\"text\": \"the only record left\"}\n");
        IngestTask task = uploadTask(3);
        TaskProcessor processor = new TaskProcessor(readers, new Pipeline(List.of(new ExtractText(), new Normalize())));

        List<Outcome> outcomes = processor.process(task);

        assertThat(outcomes).extracting(o -> o.recordNo).containsExactly(0L, 1L);
        assertThat(outcomes.get(1).filter()).isEqualTo("read.io");
        assertThat(outcomes.get(1).reason()).contains("before record 1", "0..2", "changed");
    }
}
