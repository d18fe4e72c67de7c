package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.ingest.Texts;
import org.junit.jupiter.api.Test;

class QualityRulesTest {
    static Doc doc(String text) {
        return new Doc(0, "u", "text/plain", text, text.length());
    }

    static Rejection run(Step rule, String text) {
        return rule.apply(doc(text), NormalizeTest.ANY);
    }

    @Test
    void textStatsCountWordsSymbolsAndLines() {
        TextStats s = TextStats.of("Hello, world!\n# tag ... and more…\nHello, world!\n\n  \nno end");
        assertThat(s.words()).isEqualTo(9); // Hello world tag and more… Hello world no end: "#" and "..." are not words
        assertThat(s.symbols()).isEqualTo(3); // '#', "...", '…'
        assertThat(s.lines()).isEqualTo(4);
        assertThat(s.punctuatedLines()).isEqualTo(3); // "Hello, world!" twice, and the line ending in '…'
        assertThat(s.duplicateLines()).isEqualTo(1);
    }

    @Test
    void wordCountBounds() {
        WordCountRule rule = new WordCountRule(50, 100);
        assertThat(run(rule, Texts.ENGLISH)).isNull();
        Rejection few = run(rule, "Too short to be a document.");
        assertThat(few.filter()).isEqualTo("quality.word-count");
        assertThat(few.reason()).contains("6 words", "50");
        assertThat(run(rule, (Texts.ENGLISH + "\n").repeat(3)).reason()).contains("more than 100");
    }

    @Test
    void meanWordLengthBounds() {
        MeanWordLengthRule rule = new MeanWordLengthRule(3, 10);
        assertThat(run(rule, Texts.ENGLISH)).isNull();
        assertThat(run(rule, "a b c d e f g h i j k l m.").filter()).isEqualTo("quality.mean-word-length");
        assertThat(run(rule, "0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef.")
                        .reason())
                .contains("> 10");
    }

    @Test
    void symbolToWordRatio() {
        SymbolRatioRule rule = new SymbolRatioRule(0.1);
        assertThat(run(rule, Texts.ENGLISH)).isNull();
        Rejection r = run(rule, "#buy #now #cheap #deals and more words here...");
        assertThat(r.filter()).isEqualTo("quality.symbol-ratio");
        assertThat(r.reason()).contains("0.625"); // 5 symbols / 8 words
    }

    @Test
    void shareOfLinesEndingInPunctuation() {
        LinePunctuationRule rule = new LinePunctuationRule(0.12);
        assertThat(run(rule, Texts.ENGLISH)).isNull();
        String menu = "Home\nProducts\nAbout us\nContact\nShop\nNews\nJobs\nPress\nHelp.";
        Rejection r = run(rule, menu);
        assertThat(r.filter()).isEqualTo("quality.line-punctuation");
        assertThat(r.reason()).contains("0.111");
        assertThat(run(rule, "« Il a dit oui. »\nQue faire ?")).isNull(); // closing quotes and spaced punctuation
    }

    @Test
    void shareOfDuplicateLines() {
        DuplicateLinesRule rule = new DuplicateLinesRule(0.3);
        assertThat(run(rule, Texts.ENGLISH)).isNull();
        Rejection r = run(rule, "Buy now.\nBuy now.\nBuy now.\nSomething else.");
        assertThat(r.filter()).isEqualTo("quality.duplicate-lines");
        assertThat(r.reason()).contains("0.500");
    }
}
