package dev.scratchlm.bpe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hand-written matchers must cut text exactly where their regex (java.util.regex) does. */
class PreTokenizerTest {

    static List<String> handWritten(SplitPattern p, String text) {
        char[] s = text.toCharArray();
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < s.length) {
            int e = p.pieceEnd(s, i, s.length);
            if (e <= i) {
                fail("no progress at " + i + " in " + escape(text));
            }
            pieces.add(text.substring(i, e));
            i = e;
        }
        return pieces;
    }

    static List<String> regex(Pattern p, String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = p.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() != last) {
                fail("regex skipped text at " + last + " in " + escape(text));
            }
            pieces.add(m.group());
            last = m.end();
        }
        assertEquals(text.length(), last, "regex left text unmatched");
        return pieces;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F) {
                sb.appendCodePoint(c);
            } else {
                sb.append(String.format("\\u{%x}", c));
            }
        });
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(SplitPattern.class)
    void matchesRegexOnRandomStrings(SplitPattern pattern) {
        Pattern regex = pattern.compile();
        Random rnd = new Random(42 + pattern.ordinal());
        for (int i = 0; i < 30_000; i++) {
            String text = RandomText.string(rnd, 40, true);
            List<String> expected = regex(regex, text);
            List<String> actual = handWritten(pattern, text);
            if (!expected.equals(actual)) {
                fail(pattern + " on " + escape(text) + "\nregex: "
                        + expected.stream().map(PreTokenizerTest::escape).toList() + "\nmine:  "
                        + actual.stream().map(PreTokenizerTest::escape).toList());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SplitPattern.class)
    void matchesRegexOnEuroparl(SplitPattern pattern) {
        Pattern regex = pattern.compile();
        List<String> docs = Corpora.europarl();
        // every 4th document keeps this under a few seconds per pattern while covering all 11 languages
        for (int d = 0; d < docs.size(); d += 4) {
            String doc = docs.get(d);
            assertEquals(regex(regex, doc), handWritten(pattern, doc), pattern + " differs on Europarl document " + d);
        }
    }

    @ParameterizedTest
    @EnumSource(SplitPattern.class)
    void matchesRegexOnTinyShakespeare(SplitPattern pattern) {
        String text = Corpora.tinyShakespeare();
        assertEquals(regex(pattern.compile(), text), handWritten(pattern, text));
    }

    @ParameterizedTest
    @EnumSource(SplitPattern.class)
    void numberPolicyShowsInTheSplit(SplitPattern pattern) {
        List<String> pieces = handWritten(pattern, "Year 2024: 1234567 apples");
        List<String> expected = switch (pattern.numberPolicy()) {
            case GPT2 -> List.of("Year", " 2024", ":", " 1234567", " apples");
            case GROUPS_OF_3 -> List.of("Year", " ", "202", "4", ":", " ", "123", "456", "7", " apples");
            case SINGLE ->
                List.of("Year", " ", "2", "0", "2", "4", ":", " ", "1", "2", "3", "4", "5", "6", "7", " apples");
        };
        assertEquals(expected, pieces);
    }
}
