package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CutoffTest {
    static final LocalDate CUTOFF = LocalDate.of(2010, 12, 31);

    static Doc dated(LocalDate date) {
        Doc d = new Doc(0, "u", "text/plain", "x", 1);
        d.date = date;
        return d;
    }

    @Test
    void rejectsDocumentsDatedAfterTheCutoffAndKeepsTheRest() {
        SourcePolicy p = new SourcePolicy(CUTOFF, true, Set.of());
        Rejection r = new Cutoff().apply(dated(LocalDate.of(2011, 1, 1)), p);
        assertThat(r.filter()).isEqualTo("after-cutoff");
        assertThat(r.reason()).contains("2011-01-01", "2010-12-31");
        assertThat(new Cutoff().apply(dated(CUTOFF), p)).isNull();
        assertThat(new Cutoff().apply(dated(LocalDate.of(1996, 5, 1)), p)).isNull();
    }

    @Test
    void undatedDocumentsFollowThePolicy() {
        assertThat(new Cutoff().apply(dated(null), new SourcePolicy(CUTOFF, true, Set.of())))
                .isNull();
        assertThat(new Cutoff()
                        .apply(dated(null), new SourcePolicy(CUTOFF, false, Set.of()))
                        .filter())
                .isEqualTo("undated");
    }

    @Test
    void noCutoffKeepsEveryDate() {
        assertThat(new Cutoff().apply(dated(LocalDate.of(2099, 1, 1)), new SourcePolicy(null, true, Set.of())))
                .isNull();
    }
}
