package io.xraydrift.ingest.edge;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * When a DICOM instance was acquired, from its DA/TM pairs, for every DICOM way in (C-STORE,
 * STOW-RS, the DICOMweb poller). Read as UTC. A malformed pair is refused naming its tag and the
 * value's shape, never the value.
 */
public final class DicomDates {

    private static final String[] PAIRS = {
        "AcquisitionDate/Time (0008,0022)", "ContentDate/Time (0008,0023)", "StudyDate/Time (0008,0020)"
    };

    private DicomDates() {}

    /**
     * The first pair with an 8-digit date: AcquisitionDate/Time, ContentDate/Time, StudyDate/Time
     * (arguments in that order, date then time of each); null when none has a date.
     */
    public static Instant acquired(String... dateTimePairs) throws Rejected {
        for (int i = 0; i + 1 < dateTimePairs.length; i += 2) {
            String d = dateTimePairs[i];
            String t = dateTimePairs[i + 1];
            if (d == null || d.length() != 8) {
                continue;
            }
            try {
                LocalTime time = LocalTime.MIDNIGHT;
                if (t != null && t.length() >= 4) {
                    String hhmmss = (t.split("\\.")[0] + "000000").substring(0, 6);
                    time = LocalTime.parse(hhmmss, DateTimeFormatter.ofPattern("HHmmss"));
                }
                return LocalDateTime.of(LocalDate.parse(d, DateTimeFormatter.BASIC_ISO_DATE), time)
                        .toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw Rejected.invalid(
                        "acquiredAt",
                        "DICOM " + PAIRS[Math.min(i / 2, PAIRS.length - 1)] + " (" + Shape.of(d) + "; " + Shape.of(t)
                                + "; not repeated) is not a valid date and time");
            }
        }
        return null;
    }

    /**
     * A de-identified instance (no date, or a placeholder such as RSNA's 1901-01-01) is ordered among
     * the patient's scans by its arrival at ingest instead.
     */
    public static Instant plausibleOr(Instant acquired, Instant now) {
        Instant p = plausible(acquired, now);
        return p == null ? now : p;
    }

    /**
     * The acquisition time if it is plausible (from 1980, not past the clock's skew), else null: what
     * a film without one gets is ingest's policy ({@link Ingestor.Undated}).
     */
    public static Instant plausible(Instant acquired, Instant now) {
        return acquired == null
                        || acquired.isBefore(Ingestor.EARLIEST)
                        || acquired.isAfter(now.plus(Ingestor.FUTURE_SKEW))
                ? null
                : acquired;
    }
}
