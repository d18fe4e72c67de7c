package dev.scratchlm.ingest.source;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Dates as sources write them: ISO-8601 dates or date-times (the calendar day in UTC is what the cutoff needs). */
public final class Dates {
    private Dates() {}

    /** @return the date, null for null/blank, or IllegalArgumentException naming the bad value */
    public static LocalDate parse(String value) {
        if (value == null || value.isBlank()) return null;
        String v = value.strip();
        try {
            if (v.length() == 10) return LocalDate.parse(v);
            if (v.length() == 4) return LocalDate.of(Integer.parseInt(v), 12, 31); // a year: its last day
            return OffsetDateTime.parse(v).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
        } catch (DateTimeParseException | NumberFormatException e) {
            try {
                return java.time.LocalDateTime.parse(v).toLocalDate();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(
                        "date '" + v + "' is not ISO-8601 (e.g. 2010-06-30 or 2010-06-30T12:00:00Z)");
            }
        }
    }
}
