package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.ingest.Texts;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PipelineTest {
    static final Pipeline PIPELINE = Pipeline.standard(PipelineSettings.defaults());
    static final SourcePolicy POLICY = new SourcePolicy(LocalDate.of(2010, 12, 31), true, Set.of("en", "de"));

    @Test
    void theVisibleListOfStepsInOrder() {
        assertThat(PIPELINE.steps().stream().map(Step::name).toList())
                .containsExactly(
                        "extract",
                        "normalize",
                        "cutoff",
                        "language",
                        "quality.word-count",
                        "quality.mean-word-length",
                        "quality.symbol-ratio",
                        "quality.line-punctuation",
                        "quality.duplicate-lines",
                        "pii",
                        "minhash");
        assertThat(PIPELINE.steps()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
    }

    @Test
    void aGoodDocumentPassesEveryStepAndGetsItsFields() {
        String html = "<html><head><title>Mill</title></head><body><p>" + Texts.ENGLISH.replace("\n", "</p><p>")
                + "</p><p>Contact: miller@example.org.</p></body></html>";
        Doc d = new Doc(3, "http://example.org/mill", "text/html", html, html.length());
        d.date = LocalDate.of(2009, 6, 1);
        assertThat(PIPELINE.run(d, POLICY)).isNull();
        assertThat(d.title).isEqualTo("Mill");
        assertThat(d.language).isEqualTo("en");
        assertThat(d.id).hasSize(64);
        assertThat(d.text).contains("Contact: <EMAIL>.").doesNotContain("<p>");
        assertThat(d.piiReplaced).containsEntry("email", 1);
        assertThat(d.bandKeys).hasSize(14);
    }

    @Test
    void stopsAtTheFirstRejectionAndCountsPerStep() {
        Pipeline p = Pipeline.standard(PipelineSettings.defaults());
        Doc late = new Doc(0, "u", "text/plain", Texts.ENGLISH, 100);
        late.date = LocalDate.of(2011, 3, 1);
        Rejection r = p.run(late, POLICY);
        assertThat(r.filter()).isEqualTo("after-cutoff");
        assertThat(late.language).isNull(); // language identification never ran
        List<StepCounts> stats = p.stats();
        assertThat(stats.get(2).name()).isEqualTo("cutoff");
        assertThat(stats.get(2).docs()).isEqualTo(1);
        assertThat(stats.get(2).rejected()).isEqualTo(1);
        assertThat(stats.get(2).bytes()).isEqualTo(100);
        assertThat(stats.get(3).docs()).isZero();
    }
}
