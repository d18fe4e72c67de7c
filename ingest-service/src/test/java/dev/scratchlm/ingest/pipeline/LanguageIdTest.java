package dev.scratchlm.ingest.pipeline;

import dev.scratchlm.ingest.Texts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageIdTest {
    static LanguageId languageId;

    @BeforeAll
    static void load() {
        languageId = new LanguageId(PipelineSettings.defaults().detectLanguages(), 256, true);
    }

    static Doc doc(String text) {
        return new Doc(0, "u", "text/plain", text.strip(), text.length());
    }

    @Test
    void identifiesTheLanguageAndAppliesTheAllowList() {
        SourcePolicy englishOnly = new SourcePolicy(null, true, Set.of("en"));
        Doc en = doc(Texts.ENGLISH);
        assertThat(languageId.apply(en, englishOnly)).isNull();
        assertThat(en.language).isEqualTo("en");

        Doc de = doc(Texts.GERMAN);
        Rejection r = languageId.apply(de, englishOnly);
        assertThat(de.language).isEqualTo("de");
        assertThat(r.filter()).isEqualTo("language");
        assertThat(r.reason()).contains("'de'", "[en]");

        Doc fr = doc(Texts.FRENCH);
        assertThat(languageId.apply(fr, new SourcePolicy(null, true, Set.of("fr", "en")))).isNull();
        assertThat(fr.language).isEqualTo("fr");
    }

    @Test
    void undecidableTextFallsBackToTheSourcesHintOrIsRejected() {
        SourcePolicy any = new SourcePolicy(null, true, Set.of("en", "de"));
        Doc digits = doc("12345 67890 !!! ???");
        assertThat(languageId.apply(digits, any).filter()).isEqualTo("language");
        Doc hinted = doc("12345 67890 !!! ???");
        hinted.languageHint = "DE";
        assertThat(languageId.apply(hinted, any)).isNull();
        assertThat(hinted.language).isEqualTo("de");
    }

    @Test
    void samplesAPrefixCutAtAWordBoundary() {
        assertThat(LanguageId.sample("alpha beta gamma", 100)).isEqualTo("alpha beta gamma");
        assertThat(LanguageId.sample("alpha beta gamma", 12)).isEqualTo("alpha beta");
    }

    @Test
    void refusesCodesLinguaDoesNotKnow() {
        assertThatThrownBy(() -> new LanguageId(List.of("en", "xx"), 100, true)).hasMessageContaining("'xx'");
        assertThatThrownBy(() -> new LanguageId(List.of("en"), 100, true)).hasMessageContaining("two");
    }
}
