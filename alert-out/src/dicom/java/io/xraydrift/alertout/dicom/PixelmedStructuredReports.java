package io.xraydrift.alertout.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;

import io.xraydrift.alertout.message.StructuredReports;
import io.xraydrift.alertout.message.Wording;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.reid.IdentifierSeal;

/** {@link StructuredReports} with PixelMed's content item factory (Debian's {@code libpixelmed-java}). */
public final class PixelmedStructuredReports implements StructuredReports {

    /** The named local coding system of the report's concepts, as in the ORU^R01 (HL7 table 0396 form). */
    static final String CODING = "99XRD";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Override
    public byte[] report(DriftAlert a, IdentifierSeal.Identifiers ids, String patientName) {
        try {
            ContentItemFactory f = new ContentItemFactory();
            var root = f.makeContainerContentItem(null, null, code("XRAY-DRIFT-ALERT", "Chest radiograph drift alert"),
                    true);
            f.makeCodeContentItem(root, "CONTAINS", code("ALERT-KIND", "Alert kind"),
                    code(a.getKind().name(), Wording.kind(a.getKind())));
            f.makeCodeContentItem(root, "CONTAINS", code("LEVEL-FROM", "Level before the scan"),
                    code(a.getFromLevel().name(), a.getFromLevel().name().toLowerCase(Locale.ROOT)));
            f.makeCodeContentItem(root, "CONTAINS", code("LEVEL-TO", "Level after the scan"),
                    code(a.getToLevel().name(), a.getToLevel().name().toLowerCase(Locale.ROOT)));
            f.makeNumericContentItem(root, "CONTAINS", code("SEVERITY-SCORE",
                    "Severity score of the scan (0 healthy .. 1 severe)"), String.format(Locale.ROOT, "%.4f",
                    a.getScore()), new CodedSequenceItem("1", "UCUM", "no units"));
            f.makeTextContentItem(root, "CONTAINS", code("REASON", "Why the alert was raised"), a.getReason());
            f.makeTextContentItem(root, "CONTAINS", code("MODEL", "Model that embedded the scan"),
                    a.getModel().getId() + " " + a.getModel().getVersion());
            f.makeImageContentItem(root, "CONTAINS", code("FILM", "The film the alert is about"), ids.sopClassUid(),
                    ids.sopInstanceUid(), 0, 0, null, null, null, null);
            f.makeTextContentItem(root, "CONTAINS", code("DISCLAIMER", "Disclaimer"), Wording.DISCLAIMER);
            AttributeList list = new StructuredReport(root).getAttributeList();
            String when = DATE.format(a.getCreatedAt());
            String at = TIME.format(a.getCreatedAt());
            put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), SOPClass.EnhancedSRStorage);
            put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), uid(a.getAlertId(), "instance"));
            put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), ids.studyInstanceUid());
            put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), uid(a.getAlertId(), "series"));
            put(list, new CodeStringAttribute(TagFromName.Modality), "SR");
            put(list, new LongStringAttribute(TagFromName.PatientID), ids.patientId());
            put(list, new PersonNameAttribute(TagFromName.PatientName), patientName);
            put(list, new ShortStringAttribute(TagFromName.AccessionNumber),
                    ids.accessionNumber() == null ? "" : ids.accessionNumber());
            put(list, new IntegerStringAttribute(TagFromName.SeriesNumber), "9901");
            put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "1");
            put(list, new DateAttribute(TagFromName.ContentDate), when);
            put(list, new TimeAttribute(TagFromName.ContentTime), at);
            put(list, new DateAttribute(TagFromName.SeriesDate), when);
            put(list, new TimeAttribute(TagFromName.SeriesTime), at);
            put(list, new LongStringAttribute(TagFromName.Manufacturer), "xray-drift");
            put(list, new LongStringAttribute(TagFromName.SeriesDescription), "xray-drift alert (decision support)");
            put(list, new CodeStringAttribute(TagFromName.CompletionFlag), "PARTIAL");
            put(list, new CodeStringAttribute(TagFromName.VerificationFlag), "UNVERIFIED");
            list.put(evidence(ids));
            FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "XRAYDRIFT");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
            return out.toByteArray();
        } catch (DicomException | IOException e) {
            throw new IllegalStateException("the SR of alert " + a.getAlertId() + " could not be built: " + e.getMessage(), e);
        }
    }

    /** CurrentRequestedProcedureEvidenceSequence: the film's study, series and SOP instance. */
    private static SequenceAttribute evidence(IdentifierSeal.Identifiers ids) throws DicomException {
        AttributeList sop = new AttributeList();
        put(sop, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID), ids.sopClassUid());
        put(sop, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID), ids.sopInstanceUid());
        AttributeList series = new AttributeList();
        put(series, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), ids.seriesInstanceUid());
        SequenceAttribute sops = new SequenceAttribute(TagFromName.ReferencedSOPSequence);
        sops.addItem(sop);
        series.put(sops);
        AttributeList study = new AttributeList();
        put(study, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), ids.studyInstanceUid());
        SequenceAttribute seriesSeq = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
        seriesSeq.addItem(series);
        study.put(seriesSeq);
        SequenceAttribute evidence = new SequenceAttribute(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        evidence.addItem(study);
        return evidence;
    }

    /** A UID of the 2.25 (UUID-derived) root from SHA-256 of the alert id and a role: the same on every resend. */
    static String uid(String alertId, String role) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((role + ":" + alertId).getBytes(StandardCharsets.UTF_8));
            return "2.25." + new BigInteger(1, Arrays.copyOf(h, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CodedSequenceItem code(String value, String meaning) throws DicomException {
        return new CodedSequenceItem(value, CODING, meaning);
    }

    private static void put(AttributeList list, Attribute a, String value) throws DicomException {
        if (value != null) {
            a.addValue(value);
        }
        list.put(a);
    }
}
