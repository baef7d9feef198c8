package io.xraydrift.ingest.edge;

import io.xraydrift.events.Level;
import io.xraydrift.events.ViewPosition;
import java.time.Instant;
import java.util.Map;

/**
 * One scan as it arrives by any way in (intake topic, HTTP, DICOMweb), before validation. Holds
 * the raw patient identifier: it never leaves ingest.
 *
 * @param rawPatientId    the hospital's patient identifier
 * @param acquiredAt      acquisition time (null if missing)
 * @param source          feed name, {@code http} or {@code dicomweb:<pacs>}
 * @param view            projection
 * @param modality        DICOM modality
 * @param sopInstanceUid  DICOM SOP Instance UID, or null
 * @param image           the image file's bytes
 * @param photometric     MONOCHROME1, MONOCHROME2 or null (= MONOCHROME2)
 * @param referenceLabel  curated label of reference-cohort scans, or null
 * @param referenceSeverity radiologist severity in [0, 1] of a reference scan, or null
 * @param attributes      free-form attributes (only allow-listed keys are kept)
 * @param dicom           a DICOM film's order and place (accession number, study, series and SOP class
 *                        UIDs), or null; like the patient id it leaves ingest only sealed for
 *                        re-identification
 */
public record Submission(
        String rawPatientId,
        Instant acquiredAt,
        String source,
        ViewPosition view,
        String modality,
        String sopInstanceUid,
        byte[] image,
        String photometric,
        Level referenceLabel,
        Double referenceSeverity,
        Map<String, String> attributes,
        DicomRefs dicom) {

    /** The same submission acquired at {@code at}. */
    public Submission withAcquiredAt(Instant at) {
        return new Submission(
                rawPatientId,
                at,
                source,
                view,
                modality,
                sopInstanceUid,
                image,
                photometric,
                referenceLabel,
                referenceSeverity,
                attributes,
                dicom);
    }

    /** Where a DICOM film belongs at the hospital: its order's accession number and its study, series and class. */
    public record DicomRefs(
            String accessionNumber, String studyInstanceUid, String seriesInstanceUid, String sopClassUid) {}

    /** A submission without an accession number. */
    public Submission(
            String rawPatientId,
            Instant acquiredAt,
            String source,
            ViewPosition view,
            String modality,
            String sopInstanceUid,
            byte[] image,
            String photometric,
            Level referenceLabel,
            Double referenceSeverity,
            Map<String, String> attributes) {
        this(
                rawPatientId,
                acquiredAt,
                source,
                view,
                modality,
                sopInstanceUid,
                image,
                photometric,
                referenceLabel,
                referenceSeverity,
                attributes,
                null);
    }

    /** A submission without a radiologist severity. */
    public Submission(
            String rawPatientId,
            Instant acquiredAt,
            String source,
            ViewPosition view,
            String modality,
            String sopInstanceUid,
            byte[] image,
            String photometric,
            Level referenceLabel,
            Map<String, String> attributes) {
        this(
                rawPatientId,
                acquiredAt,
                source,
                view,
                modality,
                sopInstanceUid,
                image,
                photometric,
                referenceLabel,
                null,
                attributes);
    }
}
