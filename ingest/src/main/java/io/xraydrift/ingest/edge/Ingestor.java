package io.xraydrift.ingest.edge;

import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The edge, as one function every way in shares: validate the metadata, pseudonymise the patient,
 * normalise and gate the image, derive the deterministic scan id. Returns the events ingest emits
 * or throws {@link Rejected} with a reason that never contains the raw patient identifier.
 */
public final class Ingestor {

    /** Clock skew tolerated for acquisition times in the future. */
    public static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    /** Acquisition times before this are refused as implausible. */
    public static final Instant EARLIEST = Instant.parse("1980-01-01T00:00:00Z");

    public static final int MAX_PATIENT_ID = 64;
    public static final int MAX_ATTRIBUTE_VALUE = 128;
    private static final Set<String> MODALITIES = Set.of("CR", "DX");

    /**
     * What ingest emits for one accepted scan; {@code sealed} its hospital identifiers sealed for
     * alert-out, null unless re-identification is on.
     */
    public record Accepted(ScanReceived scan, ScanThumbnail thumbnail, SealedIdentifiers sealed) {}

    private final Pseudonyms pseudonyms;
    private final ImageNormaliser normaliser;
    private final Set<String> allowedAttributes;
    private final int maxEventBytes;
    private final IdentifierSeal seal;
    private final Undated undated;

    /**
     * What a DICOM film without a plausible acquisition time gets: the time ingest received it, marked
     * on the event ({@code acquiredAtFromReceipt}) so back-filled priors can be told apart; or refusal.
     */
    public enum Undated {
        RECEIPT,
        REFUSE
    }

    /**
     * @param allowedAttributes attribute keys kept; every other key is dropped
     * @param maxEventBytes     bound on the normalised PNG so the event fits the topic's max message size
     */
    public Ingestor(
            Pseudonyms pseudonyms, ImageNormaliser normaliser, Set<String> allowedAttributes, int maxEventBytes) {
        this(pseudonyms, normaliser, allowedAttributes, maxEventBytes, null, Undated.RECEIPT);
    }

    /** @param seal seals each scan's patient id and accession number for alert-out (null: re-identification off) */
    public Ingestor(
            Pseudonyms pseudonyms,
            ImageNormaliser normaliser,
            Set<String> allowedAttributes,
            int maxEventBytes,
            IdentifierSeal seal,
            Undated undated) {
        this.undated = undated;
        this.pseudonyms = pseudonyms;
        this.normaliser = normaliser;
        this.allowedAttributes = Set.copyOf(allowedAttributes);
        this.maxEventBytes = maxEventBytes;
        this.seal = seal;
    }

    public Accepted ingest(Submission s, Instant now) throws Rejected {
        boolean fromReceipt = false;
        if (s.acquiredAt() == null && s.dicom() != null) {
            if (undated == Undated.REFUSE) {
                throw Rejected.invalid(
                        "AcquisitionDateTime",
                        "the film has no plausible acquisition time: "
                                + "AcquisitionDate/Time, ContentDate/Time and StudyDate/Time are missing, before "
                                + EARLIEST.toString().substring(0, 4)
                                + " or in the future (values not repeated); refused by "
                                + "XRAY_INGEST_UNDATED=refuse");
            }
            s = s.withAcquiredAt(now);
            fromReceipt = true;
        }
        validate(s, now);
        NormalisedImage image = normaliser.normalise(s.image(), "MONOCHROME1".equals(s.photometric()));
        Gate.check(s.view() == null ? ViewPosition.UNKNOWN : s.view(), image);
        if (image.png().length > maxEventBytes) {
            throw new Rejected(
                    Rejected.Kind.TOO_LARGE,
                    "image",
                    "normalised image is " + image.png().length + " bytes, over the " + maxEventBytes
                            + " bytes an event may carry");
        }
        String pseudonym = pseudonyms.patient(s.rawPatientId());
        String scanId = s.sopInstanceUid() != null && !s.sopInstanceUid().isBlank()
                ? pseudonyms.scanFromSop(s.sopInstanceUid())
                : pseudonyms.scanFromContent(
                        image.pixelHash(), pseudonym, s.acquiredAt().toEpochMilli());
        Map<String, String> kept = new LinkedHashMap<>();
        if (s.attributes() != null) {
            s.attributes().forEach((k, v) -> {
                if (allowedAttributes.contains(k) && v != null) {
                    kept.put(k, v.length() > MAX_ATTRIBUTE_VALUE ? v.substring(0, MAX_ATTRIBUTE_VALUE) : v);
                }
            });
        }
        ScanReceived scan = ScanReceived.newBuilder()
                .setScanId(scanId)
                .setPatient(pseudonym)
                .setAcquiredAt(s.acquiredAt())
                .setReceivedAt(now)
                .setSource(s.source())
                .setView(s.view() == null ? ViewPosition.UNKNOWN : s.view())
                .setModality(s.modality() == null ? "CR" : s.modality())
                .setWidth(image.width())
                .setHeight(image.height())
                .setImage(ByteBuffer.wrap(image.png()))
                .setReferenceLabel(s.referenceLabel())
                .setReferenceSeverity(s.referenceSeverity())
                .setAttributes(kept)
                .setAcquiredAtFromReceipt(fromReceipt)
                .build();
        ScanThumbnail thumb = new ScanThumbnail(
                scanId,
                ByteBuffer.wrap(image.thumbnail()),
                image.thumbWidth(),
                image.thumbHeight(),
                s.referenceLabel());
        Submission.DicomRefs d = s.dicom();
        SealedIdentifiers sealed = seal == null
                ? null
                : seal.seal(
                        scanId,
                        pseudonym,
                        d == null
                                ? new IdentifierSeal.Identifiers(s.rawPatientId(), null)
                                : new IdentifierSeal.Identifiers(
                                        s.rawPatientId(),
                                        accession(d.accessionNumber()),
                                        uid(d.studyInstanceUid()),
                                        uid(d.seriesInstanceUid()),
                                        uid(d.sopClassUid()),
                                        uid(s.sopInstanceUid())),
                        now);
        return new Accepted(scan, thumb, sealed);
    }

    /** A UID worth sealing: UID characters, at most 64, else none. */
    private static String uid(String v) {
        return v != null && v.strip().length() <= 64 && v.strip().matches("[0-9.]+") ? v.strip() : null;
    }

    /** An accession number worth sealing: 1-16 characters (DICOM SH), else none. */
    private static String accession(String v) {
        return v == null || v.isBlank() || v.strip().length() > 16 ? null : v.strip();
    }

    /** The scan id a DICOM instance gets: what logs and dead letters name it by instead of its UIDs. */
    public String scanIdOfSop(String sopInstanceUid) {
        return pseudonyms.scanFromSop(sopInstanceUid);
    }

    /**
     * The pseudonym the pipeline knows a patient by (what scans of that raw identifier are keyed by
     * downstream), after the same checks an upload's patientId gets.
     */
    public String pseudonymOf(String rawPatientId) throws Rejected {
        checkPatientId(rawPatientId);
        return pseudonyms.patient(rawPatientId);
    }

    /** Reasons never repeat the identifier: it must not reach a log or a dead letter. */
    private static void checkPatientId(String rawPatientId) throws Rejected {
        if (rawPatientId == null || rawPatientId.isBlank()) {
            throw Rejected.invalid("patientId", "patientId is missing or blank");
        }
        if (rawPatientId.length() > MAX_PATIENT_ID) {
            throw Rejected.invalid(
                    "patientId",
                    "patientId is " + rawPatientId.length() + " characters long, " + "maximum is " + MAX_PATIENT_ID);
        }
        if (rawPatientId.chars().anyMatch(Character::isISOControl)) {
            throw Rejected.invalid("patientId", "patientId contains control characters");
        }
    }

    private static void validate(Submission s, Instant now) throws Rejected {
        checkPatientId(s.rawPatientId());
        if (s.acquiredAt() == null) {
            throw Rejected.invalid("acquiredAt", "acquiredAt is missing");
        }
        if (s.acquiredAt().isAfter(now.plus(FUTURE_SKEW))) {
            throw Rejected.invalid(
                    "acquiredAt",
                    "acquiredAt is in the future (more than " + FUTURE_SKEW.toMinutes() + " min after ingest's clock, "
                            + now + "; the value is not repeated)");
        }
        if (s.acquiredAt().isBefore(EARLIEST)) {
            throw Rejected.invalid("acquiredAt", "acquiredAt is before " + EARLIEST + " (the value is not repeated)");
        }
        if (s.source() == null || s.source().isBlank()) {
            throw Rejected.invalid("source", "source is missing");
        }
        if (s.referenceSeverity() != null) {
            double v = s.referenceSeverity();
            if (!(v >= 0 && v <= 1)) {
                throw Rejected.invalid(
                        "referenceSeverity", "referenceSeverity is outside [0, 1] (the value is not repeated)");
            }
            if (s.referenceLabel() == null) {
                throw Rejected.invalid(
                        "referenceSeverity",
                        "referenceSeverity is given without a "
                                + "referenceLabel: only reference-cohort scans carry a radiologist severity");
            }
        }
        if (s.modality() != null && !MODALITIES.contains(s.modality())) {
            throw Rejected.invalid(
                    "modality", "modality (" + Shape.of(s.modality()) + ", not repeated) is not CR or DX");
        }
        if (s.photometric() != null
                && !s.photometric().equals("MONOCHROME1")
                && !s.photometric().equals("MONOCHROME2")) {
            throw Rejected.invalid(
                    "photometricInterpretation",
                    "photometricInterpretation (" + Shape.of(s.photometric())
                            + ", not repeated) is not MONOCHROME1 or MONOCHROME2");
        }
        if (s.image() == null) {
            throw Rejected.invalid("image", "no image bytes");
        }
    }
}
