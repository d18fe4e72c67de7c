package dev.scratchlm.instruct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slot error rate of E2E outputs: (missed + wrong + added) / slots in the MRs, summed over the corpus.
 *
 * <ul>
 *   <li>{@code name} and {@code near}: missed unless the output contains the value as whole words (case-insensitive). Both are
 *       then masked out of the output, so "Raja Indian Cuisine" or "Café Rouge" do not count as food or eatType.</li>
 *   <li>every other slot: each of its values has patterns (the table in README.md, kept equal to {@link #TABLE});
 *       the MR's value realized = right; not realized but another value of the slot is = wrong; none = missed;
 *       a slot absent from the MR whose values show up = added. {@code familyFriendly[no]} patterns (negations) win
 *       over {@code yes} ones. A bare "restaurant" is not counted as an added eatType: references use it as the
 *       generic word for the venue.</li>
 * </ul>
 * A value outside the table (other data) is looked for literally. The patterns are regular expressions on the
 * lower-cased output; they were written from the E2E references and are a heuristic like the challenge's own
 * slot-error scripts, not a parser.
 */
public final class SlotError {
    private SlotError() {}

    /** What one output did with its MR's slots; lists hold slot names. */
    public record Check(int slots, List<String> missed, List<String> wrong, List<String> added) {
        public int errors() {
            return missed.size() + wrong.size() + added.size();
        }

        public double rate() {
            return slots == 0 ? 0 : (double) errors() / slots;
        }
    }

    private static final String CHEAP =
            "\\bcheap(ly|er|est)?\\b|\\binexpensive\\b|\\blow[- ]?(price|cost)|\\bbudget\\b|\\baffordabl"
                    + "|\\bprice(s|d)?( range)? (is |are )?low\\b";
    private static final String MODERATE =
            "\\bmoderate(ly)?\\b(?![- ](customers?'?s?'? )?(rat|review|star))|\\baverage[- ]?price|\\bmid[- ]?(price|range)"
                    + "|\\bmedium[- ]?price|\\breasonabl[ey]|\\bprice(s|d)?( range)? (is |are )?average\\b";
    private static final String HIGH_PRICE = "\\bhigh[- ]?(price|cost|end)|\\bexpensive\\b|\\bpricey\\b|\\bcostly\\b"
            + "|\\bhighly[- ]priced|\\bprice(s|d)?( range)? (is |are )?high\\b|\\bupscale\\b";
    private static final String RATED =
            "(customers?'?s?'? |users?'?s?'? )?(ratings?|rated|rate|ranked|reviews?|stars?|score)\\b";
    private static final String RATING_IS =
            "\\b(rating|rated|ratings|ranked|reviews)(:| is| are| of| as)?( an?)?( very| quite)? ";
    private static final String LOW_RATING =
            "\\blow(ly)?[- ]?" + RATED + "|" + RATING_IS + "low\\b|\\bpoor(ly)?[- ]?" + RATED + "|\\bbad[- ]" + RATED;
    private static final String AVERAGE_RATING = "\\baverage[- ]" + RATED + "|" + RATING_IS
            + "average\\b|\\bmediocre\\b" + "|\\b(average(ly)?|moderately)[- ]rated";
    private static final String HIGH_RATING = "\\bhigh(ly)?[- ]?" + RATED + "|" + RATING_IS + "high\\b|\\bwell[- ]rated"
            + "|\\btop[- ]rated|\\bexcellent[- ]" + RATED + "|\\bgreat[- ]" + RATED;
    private static final String ONE =
            "\\b1 out of 5\\b|\\brating of (1|one)\\b|\\b1 of 5\\b|\\b1/5\\b|\\bone out of five\\b|\\b(1|one)[- ]stars?\\b";
    private static final String THREE =
            "\\b3 out of 5\\b|\\brating of (3|three)\\b|\\b3 of 5\\b|\\b3/5\\b|\\bthree out of five\\b|\\b(3|three)[- ]stars?\\b";
    private static final String FIVE =
            "\\b5 out of 5\\b|\\brating of (5|five)\\b|\\b5 of 5\\b|\\b5/5\\b|\\bfive out of five\\b|\\b(5|five)[- ]stars?\\b";
    private static final String KIDS = "(family|families|kids?|child|children)";
    private static final String FAMILY_NO =
            "\\b(not|isn't|isnt|is not|aren't|are not|no|non)( a| an)?( very| really)?[- ]"
                    + KIDS + "[- ]?friendly|\\b" + KIDS
                    + "[- ]?unfriendly|\\bnot (suitable|good|ideal|appropriate|recommended|for"
                    + "|welcoming|great|friendly|allow|allowing|open|geared|aimed)\\b[^.]{0,25}\\b(famil|kids?\\b|child)"
                    + "|\\bno (kids|children|families)\\b|\\badults?[- ]only\\b|\\b(doesn't|does not|don't|do not|won't|wouldn't|isn't|is not)"
                    + "\\b(?! only)[^.]{0,25}\\b(famil|kids?\\b|child)|\\badults?[- ](friendly|audience|crowd)|\\bfor adults only\\b|\\bonly for adults\\b"
                    + "|\\b(children|kids|families) (are )?not (allowed|welcome)|\\bleave the (kids|children)";
    private static final String FAMILY_YES =
            "\\b" + KIDS + "[- ]?friendly\\b|\\bfor (the (whole|entire) )?(famil|kids|children)"
                    + "|\\b(kids|children|families) (are )?welcome|\\bwelcom(es?|ing)( to)? (kids|children|families)"
                    + "|\\b(suitable|good|great|ideal) for (the )?(kids|children|famil)|\\bcater(s|ing)? (to|for) (kids|children|famil)"
                    + "|\\bfamily[- ](oriented|restaurant|place|venue|pub|establishment|environment|atmosphere)|\\b(children|kids)'?s? (area|menu)";

    /** Realizations of each slot value: the documented table (README.md, "Slot error rate"). */
    public static final Map<String, Map<String, String>> TABLE = table();

    private static Map<String, Map<String, String>> table() {
        Map<String, Map<String, String>> t = new LinkedHashMap<>();
        t.put(
                "eatType",
                ordered(
                        "pub", "\\bpubs?\\b",
                        "coffee shop", "\\bcoffee[- ]?(shops?|houses?)\\b|\\bcaf[eé]s?\\b",
                        "restaurant", "\\brestaurants?\\b"));
        t.put(
                "food",
                ordered(
                        "Chinese", "\\bchinese\\b",
                        "English", "\\benglish\\b|\\bbritish\\b",
                        "French", "\\bfrench\\b",
                        "Fast food", "\\bfast[- ]?food\\b",
                        "Indian", "\\bindian\\b",
                        "Italian", "\\bitalian\\b",
                        "Japanese", "\\bjapanese\\b|\\bsushi\\b"));
        t.put(
                "priceRange",
                ordered(
                        "cheap",
                        CHEAP,
                        "less than £20",
                        "\\b(less than|under|below|lower than) £ ?20\\b|£ ?20 or less|" + CHEAP,
                        "moderate",
                        MODERATE,
                        "£20-25",
                        "£ ?20 ?(-|–|to) ?£? ?25\\b|\\b20 ?(-|–|to) ?25 (pounds|gbp)|" + MODERATE,
                        "high",
                        HIGH_PRICE,
                        "more than £30",
                        "\\b(more than|over|above|greater than|upwards of) £ ?30\\b|£ ?30 ?(\\+|plus|or more)|"
                                + HIGH_PRICE));
        t.put(
                "customer rating",
                ordered(
                        "low", LOW_RATING + "|" + ONE,
                        "1 out of 5", ONE + "|" + LOW_RATING,
                        "average", AVERAGE_RATING + "|" + THREE,
                        "3 out of 5", THREE + "|" + AVERAGE_RATING,
                        "high", HIGH_RATING + "|" + FIVE,
                        "5 out of 5", FIVE + "|" + HIGH_RATING));
        t.put(
                "area",
                ordered(
                        "city centre",
                        "\\b(city|town)[- ]?cent(re|er)\\b|\\bcent(re|er) of (the )?(city|town)\\b|\\bdowntown\\b"
                                + "|\\bcentral\\b|\\bcent(re|er)\\b",
                        "riverside",
                        "\\briver(side)?\\b|\\bwaterfront\\b|\\bby the water\\b"));
        t.put(
                "familyFriendly",
                ordered(
                        "no", FAMILY_NO,
                        "yes", FAMILY_YES));
        return t;
    }

    private static final Map<String, Map<String, Pattern>> PATTERNS = compile();

    private static Map<String, Map<String, Pattern>> compile() {
        Map<String, Map<String, Pattern>> p = new LinkedHashMap<>();
        TABLE.forEach((slot, values) -> {
            Map<String, Pattern> compiled = new LinkedHashMap<>();
            values.forEach((value, regex) -> compiled.put(value, Pattern.compile(regex)));
            p.put(slot, compiled);
        });
        return p;
    }

    /** Corpus slot error rate in 0..1 (can exceed 1 only if outputs add more slots than the MRs have). */
    public static double rate(List<String> mrs, List<String> outputs) {
        if (mrs.size() != outputs.size()) {
            throw new IllegalArgumentException(mrs.size() + " MRs but " + outputs.size() + " outputs");
        }
        long errors = 0;
        long slots = 0;
        for (int i = 0; i < mrs.size(); i++) {
            Check c = check(mrs.get(i), outputs.get(i));
            errors += c.errors();
            slots += c.slots();
        }
        return slots == 0 ? 0 : (double) errors / slots;
    }

    /** Which of the MR's slots one output missed, got wrong, or added. */
    public static Check check(String mr, String output) {
        Map<String, String> slots = E2e.parse(mr);
        String text = output.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        List<String> missed = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (String literal : List.of("name", "near")) {
            String value = slots.get(literal);
            if (value == null) {
                continue;
            }
            // Whole words only: name[X] is not found in "expensive".
            Matcher m = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(value.toLowerCase(Locale.ROOT))
                            + "(?![\\p{L}\\p{N}])")
                    .matcher(text);
            if (m.find()) {
                text = m.replaceAll(" ");
            } else {
                missed.add(literal);
            }
        }
        for (Map.Entry<String, String> slot : slots.entrySet()) {
            String name = slot.getKey();
            if (name.equals("name") || name.equals("near")) {
                continue;
            }
            Set<String> realized = realized(name, text);
            if (matches(name, slot.getValue(), text)) {
                continue;
            }
            if (realized.isEmpty()) {
                missed.add(name);
            } else {
                wrong.add(name);
            }
        }
        for (String name : PATTERNS.keySet()) {
            if (slots.containsKey(name)) {
                continue;
            }
            Set<String> realized = realized(name, text);
            if (name.equals("eatType")) {
                realized.remove("restaurant");
            }
            if (!realized.isEmpty()) {
                added.add(name);
            }
        }
        return new Check(slots.size(), List.copyOf(missed), List.copyOf(wrong), List.copyOf(added));
    }

    /** The values of {@code slot} that the (lower-cased, name/near-masked) text realizes. */
    private static Set<String> realized(String slot, String text) {
        Set<String> found = new LinkedHashSet<>();
        Map<String, Pattern> values = PATTERNS.get(slot);
        if (values == null) {
            return found;
        }
        if (slot.equals("familyFriendly")) {
            // A negation contains the positive phrase ("not family-friendly"): it decides alone.
            if (values.get("no").matcher(text).find()) {
                found.add("no");
            } else if (values.get("yes").matcher(text).find()) {
                found.add("yes");
            }
            return found;
        }
        values.forEach((value, p) -> {
            if (p.matcher(text).find()) {
                found.add(value);
            }
        });
        return found;
    }

    private static boolean matches(String slot, String value, String text) {
        Map<String, Pattern> values = PATTERNS.get(slot);
        Pattern p = values == null ? null : values.get(value);
        if (p == null) {
            // A value the table does not know: look for it literally.
            return text.contains(value.toLowerCase(Locale.ROOT));
        }
        if (slot.equals("familyFriendly")) {
            return realized(slot, text).contains(value);
        }
        return p.matcher(text).find();
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
