package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import dev.scratchlm.contracts.IngestTask;
import dev.scratchlm.ingest.TestData;
import dev.scratchlm.ingest.Texts;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.source.RawRecord;
import dev.scratchlm.ingest.source.ReadLimits;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.ingest.source.RecordReader;
import dev.scratchlm.ingest.worker.TaskProcessor;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast path must give Lingua's answer: on the whole Europarl demo corpus (as the language step sees it, after
 * extraction and normalization) and on handcrafted texts that exercise Lingua's clean-up and rule stages. Margin 0
 * here, so the fast path decides everything but exact ties and nothing hides behind the fallback.
 */
class FastLinguaTest {
    static final List<String> CANDIDATES = PipelineSettings.defaults().detectLanguages();
    static LanguageId strict;

    @BeforeAll
    static void load() {
        strict = new LanguageId(CANDIDATES, 256, true, 0.0);
    }

    private static List<String> europarl;

    /** The texts of the corpus after the steps that run before language identification. */
    static synchronized List<String> europarlTexts() throws Exception {
        if (europarl == null) europarl = readEuroparl();
        return europarl;
    }

    private static List<String> readEuroparl() throws Exception {
        Readers readers = new Readers(new ReadLimits(500_000, 1L << 32, 100), id -> {
            throw new IllegalStateException("no uploads here");
        });
        IngestTask task = new IngestTask(
                IngestTask.SCHEMA,
                "t",
                "t",
                "europarl",
                "europarl",
                TestData.europarlJar().toString(),
                SourcePlanner.EUROPARL_ENTRY,
                "europarl",
                0,
                Long.MAX_VALUE,
                LocalDate.of(2010, 12, 31),
                "accept",
                CANDIDATES,
                null,
                null,
                null);
        SourcePolicy policy = TaskProcessor.policy(task);
        Pipeline before = new Pipeline(List.of(new ExtractText(), new Normalize()));
        List<String> texts = new ArrayList<>();
        try (RecordReader r = readers.open(task)) {
            for (RawRecord rec = r.next(); rec != null; rec = r.next()) {
                Doc doc = new Doc(rec.recordNo(), rec.uri(), rec.contentType(), rec.text(), rec.bytes());
                if (before.run(doc, policy) == null) texts.add(doc.text);
            }
        }
        return texts;
    }

    @Test
    void agreesWithLinguaOnTheEuroparlCorpus() throws Exception {
        List<String> texts = europarlTexts();
        assertThat(texts).hasSize(17_597);
        long fast0 = strict.decidedFast(), lingua0 = strict.decidedByLingua();
        int agree = 0;
        Map<String, Integer> languages = new TreeMap<>();
        List<String> disagreements = new ArrayList<>();
        for (String text : texts) {
            String fast = strict.detect(text);
            String lingua = strict.detectWithLingua(text);
            languages.merge(String.valueOf(lingua), 1, Integer::sum);
            if (Objects.equals(fast, lingua)) agree++;
            else if (disagreements.size() < 10)
                disagreements.add(
                        "lingua=" + lingua + " fast=" + fast + ": " + text.substring(0, Math.min(80, text.length())));
        }
        long decidedFast = strict.decidedFast() - fast0;
        double agreement = (double) agree / texts.size();
        System.out.printf(
                "fast path vs Lingua on Europarl: %d of %d agree (%.3f%%), %d decided by the fast path, %d by Lingua; Lingua's answers %s%n",
                agree, texts.size(), 100 * agreement, decidedFast, strict.decidedByLingua() - lingua0, languages);
        disagreements.forEach(System.out::println);
        assertThat(decidedFast)
                .as("the fast path decides (not Lingua behind it)")
                .isGreaterThanOrEqualTo((long) (0.995 * texts.size()));
        assertThat(agreement).isGreaterThanOrEqualTo(0.995);
        assertThat(languages.keySet()).contains("da", "de", "el", "en", "es", "fi", "fr", "it", "nl", "pt", "sv");
    }

    @Test
    void scoresLikeLinguaOnTheEuroparlCorpus() throws Exception {
        // The same sums in another order differ only by float rounding; the default fast-margin must stay far above it.
        List<Language> languages = CANDIDATES.stream()
                .map(c -> Language.getByIsoCode639_1(LanguageId.iso(c)))
                .toList();
        FastLingua fast = new FastLingua(languages, true, 0.0);
        LanguageDetector lingua = LanguageDetectorBuilder.fromLanguages(languages.toArray(Language[]::new))
                .withLowAccuracyMode()
                .withPreloadedLanguageModels()
                .build();
        List<String> texts = europarlTexts();
        int compared = 0;
        double maxDifference = 0;
        for (int i = 0; i < texts.size(); i += 4) {
            String sample = LanguageId.sample(texts.get(i), 256);
            List<Double> confidences =
                    List.copyOf(lingua.computeLanguageConfidenceValues(sample).values());
            double ours = fast.secondConfidence(sample);
            if (confidences.size() < 2) continue; // decided by Lingua's rules, or nothing to score
            assertThat(ours).as(sample).isNotNaN();
            maxDifference = Math.max(maxDifference, Math.abs(ours - confidences.get(1)));
            compared++;
        }
        System.out.printf(
                "runner-up confidence, fast path vs Lingua, on %d Europarl samples: largest difference %.2g%n",
                compared, maxDifference);
        assertThat(compared).isGreaterThan(3000);
        assertThat(maxDifference).isLessThan(PipelineSettings.defaults().languageFastMargin() / 10);
    }

    static final List<String> HANDCRAFTED = List.of(
            Texts.ENGLISH,
            Texts.ENGLISH_2,
            Texts.GERMAN,
            Texts.FRENCH,
            Texts.SPANISH,
            "Der Fluss fließt durch die Stadt.",
            "Straße Fuß Maß Spaß groß", // ß in every word: Lingua's first rule decides German
            "¿Dónde está la estación? ¡Vamos ya!",
            "Η Επιτροπή ΠΡΟΤΕΙΝΕΙ ΝΕΟΥΣ ΚΑΝΟΝΕΣ για τις οδικές μεταφορές.", // final sigma: context-dependent lowercase
            "- Έκθεση: Εsa Westlund", // mostly Greek words, one mixed word
            "The report by Mr Παπαδόπουλος on the fisheries agreement was adopted.",
            "İstanbul ve Ankara arasında hızlı tren", // dotted capital I lowercases to two chars
            "Næste møde i Udvalget om økonomi og valutaspørgsmål finder sted på tirsdag.",
            "Hyvää päivää, tämä on suomenkielinen lause järvistä ja metsistä.",
            "Detta är en svensk mening om älgar, öar och sjöar.",
            "Dit is een Nederlandse zin over de kosten van het vervoer.",
            "A Comissão Europeia aprovou ontem as orientações para a política económica.",
            "Il Parlamento europeo ha approvato la relazione, perché è più equilibrata.",
            "Ceci est une phrase française où l'on parle du château et de l'été.",
            "We met in München and Zürich, then flew on to São Paulo for the conference.",
            "Sie sagte: \"The meeting is over\" und ging dann nach Hause.",
            "ñandú ñoño niño año", // ñ in every word: Lingua's second rule narrows to Spanish
            "naïve café résumé coöperation",
            "HELLO WORLD, THIS IS AN ENGLISH SENTENCE IN CAPITALS",
            "e-mail: info@example.org, www.example.org/page?id=42",
            "Das ist ein Test\twith\ttabs\nand new lines\r\nbetween words",
            "  - 1999 - ...  leading punctuation, numbers and spaces -  ",
            "12345 67890 !!! ???",
            "a",
            "ab",
            "x y z",
            "abc",
            "€ § ° +",
            "don't can't won't",
            "中文和English混合的句子", // Chinese characters: left to Lingua
            "An emoji 😀 inside an English sentence about the weather.", // a surrogate pair: left to Lingua
            "normal",
            "Hotel Europa",
            "Johan Andersen");

    @Test
    void agreesWithLinguaOnHandcraftedTexts() {
        for (String text : HANDCRAFTED) {
            assertThat(strict.detect(text)).as(text).isEqualTo(strict.detectWithLingua(text));
        }
        // and Lingua's answers are the sensible ones where a person can tell
        assertThat(strict.detect(Texts.ENGLISH)).isEqualTo("en");
        assertThat(strict.detect(Texts.GERMAN)).isEqualTo("de");
        assertThat(strict.detect("Straße Fuß Maß Spaß groß")).isEqualTo("de");
        assertThat(strict.detect("Η Επιτροπή ΠΡΟΤΕΙΝΕΙ ΝΕΟΥΣ ΚΑΝΟΝΕΣ για τις οδικές μεταφορές."))
                .isEqualTo("el");
        assertThat(strict.detect("ñandú ñoño niño año")).isEqualTo("es");
        assertThat(strict.detect("Hyvää päivää, tämä on suomenkielinen lause järvistä ja metsistä."))
                .isEqualTo("fi");
        assertThat(strict.detect("12345 67890 !!! ???")).isNull();
    }

    @Test
    void theSameAnswersFromConcurrentThreads() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) texts.addAll(HANDCRAFTED);
        List<String> expected = texts.stream().map(strict::detect).toList();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++)
                runs.add(pool.submit(() -> texts.stream().map(strict::detect).toList()));
            for (Future<List<String>> run : runs) assertThat(run.get()).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
