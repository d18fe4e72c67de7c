package dev.scratchlm.ingest.source;

import java.io.InputStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Lucene's Europarl lines: {@code title TAB date TAB text}. Paragraphs inside the text are separated by runs of
 * three or more spaces; they become line breaks, so line-based quality rules see paragraphs, not one long line.
 */
final class EuroparlRecords extends LineRecords {
    EuroparlRecords(InputStream in, String fileUri, Readers.Start start, long first, long end, ReadLimits limits) {
        super(in, fileUri, start, first, end, limits);
    }

    @Override
    protected RawRecord parse(long recordNo, long lineNo, String line, int bytes) {
        String uri = lineUri(lineNo);
        int tab1 = line.indexOf('\t');
        int tab2 = tab1 < 0 ? -1 : line.indexOf('\t', tab1 + 1);
        if (tab2 < 0)
            return RawRecord.unreadable(recordNo, uri, bytes, "read.malformed", "expected title TAB date TAB text");
        LocalDate date;
        try {
            date = LocalDate.parse(line.substring(tab1 + 1, tab2).strip());
        } catch (DateTimeParseException e) {
            return RawRecord.unreadable(
                    recordNo,
                    uri,
                    bytes,
                    "read.malformed",
                    "date '" + line.substring(tab1 + 1, tab2) + "' is not yyyy-MM-dd");
        }
        String title = line.substring(0, tab1).strip();
        return new RawRecord(
                recordNo,
                uri,
                "text/plain",
                paragraphs(line, tab2 + 1),
                bytes,
                title.isEmpty() ? null : title,
                date,
                null,
                null);
    }

    /** Runs of 3+ spaces become a newline; shorter runs stay as they are for the normalize step. */
    static String paragraphs(String s, int from) {
        StringBuilder out = new StringBuilder(s.length() - from);
        int i = from, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ') {
                int j = i;
                while (j < n && s.charAt(j) == ' ') j++;
                if (j - i >= 3) out.append('\n');
                else out.append(s, i, j);
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
