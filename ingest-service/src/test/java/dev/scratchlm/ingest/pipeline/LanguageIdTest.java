package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scratchlm.ingest.Texts;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
        assertThat(languageId.apply(fr, new SourcePolicy(null, true, Set.of("fr", "en"))))
                .isNull();
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
    void clearTextsAreDecidedByTheFastPathAndCloseCallsByLinguasDetector() {
        LanguageId id = new LanguageId(PipelineSettings.defaults().detectLanguages(), 256, true, 0.01);
        long fast = id.decidedFast(), lingua = id.decidedByLingua();
        assertThat(id.detect(Texts.GERMAN)).isEqualTo("de");
        assertThat(id.decidedFast()).isEqualTo(fast + 1);
        assertThat(id.decidedByLingua()).isEqualTo(lingua);

        // "normal" is a word in several candidates: the runner-up's Lingua confidence is within 1% of the best
        FastLingua probe = new FastLingua(
                PipelineSettings.defaults().detectLanguages().stream()
                        .map(c -> com.github.pemistahl.lingua.api.Language.getByIsoCode639_1(LanguageId.iso(c)))
                        .toList(),
                true,
                0.01);
        assertThat(probe.secondConfidence("normal")).isBetween(0.99, 1.0);
        assertThat(id.detect("normal")).isEqualTo(id.detectWithLingua("normal"));
        assertThat(id.decidedByLingua()).isEqualTo(lingua + 1);
        assertThat(id.decidedFast()).isEqualTo(fast + 1);
    }

    @Test
    void textsInScriptsTheFastPathLeavesToLinguaGoToLingua() {
        long lingua = languageId.decidedByLingua();
        assertThat(languageId.detect("中文和English混合的句子")).isEqualTo(languageId.detectWithLingua("中文和English混合的句子"));
        assertThat(languageId.detect("An emoji \uD83D\uDE00 in an English sentence."))
                .isEqualTo("en");
        assertThat(languageId.decidedByLingua()).isEqualTo(lingua + 2);
    }

    @Test
    void aMarginOfOneSendsEveryTextToLingua() {
        LanguageId linguaOnly = new LanguageId(List.of("en", "de"), 256, true, 1.0);
        assertThat(linguaOnly.detect(Texts.ENGLISH)).isEqualTo("en");
        assertThat(linguaOnly.detect(Texts.GERMAN)).isEqualTo("de");
        assertThat(linguaOnly.decidedFast()).isZero();
        assertThat(linguaOnly.decidedByLingua()).isEqualTo(2);
        assertThat(linguaOnly.description()).contains("Every text goes through Lingua");
        assertThat(languageId.description()).contains("fast-margin", "within 0.0001 of the best");
    }

    @Test
    void inHighAccuracyModeShortTextsGoToLinguaWhichThenUsesAllNgramLengths() {
        LanguageId accurate = new LanguageId(List.of("de", "en", "fr"), 256, false, 0.0);
        assertThat(accurate.detect(Texts.ENGLISH)).isEqualTo("en").isEqualTo(accurate.detectWithLingua(Texts.ENGLISH));
        assertThat(accurate.detect(Texts.FRENCH)).isEqualTo("fr").isEqualTo(accurate.detectWithLingua(Texts.FRENCH));
        assertThat(accurate.decidedFast()).isEqualTo(2);
        String shortText = "Der Fluss fließt durch die Stadt.";
        assertThat(accurate.detect(shortText)).isEqualTo("de").isEqualTo(accurate.detectWithLingua(shortText));
        assertThat(accurate.decidedByLingua()).isEqualTo(1);
    }

    @Test
    void refusesANegativeMargin() {
        assertThatThrownBy(() -> new LanguageId(List.of("en", "de"), 256, true, -0.1))
                .hasMessageContaining("margin");
    }

    @Test
    void refusesCodesLinguaDoesNotKnow() {
        assertThatThrownBy(() -> new LanguageId(List.of("en", "xx"), 100, true)).hasMessageContaining("'xx'");
        assertThatThrownBy(() -> new LanguageId(List.of("en"), 100, true)).hasMessageContaining("two");
    }
}
