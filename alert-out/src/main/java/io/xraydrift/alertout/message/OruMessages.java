package io.xraydrift.alertout.message;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v25.datatype.CE;
import ca.uhn.hl7v2.model.v25.datatype.NM;
import ca.uhn.hl7v2.model.v25.datatype.ST;
import ca.uhn.hl7v2.model.v25.datatype.TX;
import ca.uhn.hl7v2.model.v25.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v25.message.ORU_R01;
import ca.uhn.hl7v2.model.v25.segment.MSH;
import ca.uhn.hl7v2.model.v25.segment.OBR;
import ca.uhn.hl7v2.model.v25.segment.OBX;
import ca.uhn.hl7v2.model.v25.segment.ORC;
import ca.uhn.hl7v2.model.v25.segment.PID;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A drift alert as an HL7 v2.5 ORU^R01 (unsolicited observation result), built with HAPI HL7v2:
 * PID-3 is the patient's pseudonym under assigning authority {@value #AUTHORITY} (an interface
 * engine maps it to the hospital's MRN, never this code), OBR the alert (result status P,
 * preliminary: decision support, not a diagnosis), one OBX per part of the evidence. MSH-10, the
 * message control id, is derived from the alert id, so a resent alert is recognisably the same
 * message.
 */
public final class OruMessages {

    /** Assigning authority of the pseudonym in PID-3 and the sending application in MSH-3. */
    public static final String AUTHORITY = "XRAYDRIFT";
    /**
     * The coding system of the observation codes (OBR-4, OBX-3): a named local system (HL7 table 0396,
     * {@code 99zzz}). LOINC has no code for these decision-support observations (alert kind, levels,
     * a model's drift score, its neighbours), so none is claimed.
     */
    static final String LOCAL = "99XRD";
    /** HL7 v2.5 DTM with its UTC offset (MSH-7, OBR-7, OBR-22): a receiver never guesses the zone. */
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private OruMessages() {}

    /** Where the message goes (MSH-5 and MSH-6) and the PID-5 placeholder name ({@code family^given}). */
    public record Receiver(String application, String facility, String patientName) {

        public Receiver(String application, String facility) {
            this(application, facility, "PSEUDONYMISED^XRAYDRIFT");
        }
    }

    public static ORU_R01 oru(DriftAlert a, Receiver to) {
        return oru(a, to, null, null);
    }

    /**
     * The ORU^R01, filed against the hospital's own identifiers when re-identification gave them
     * ({@code ids} non-null): PID-3 the MRN under {@code mrnAuthority} (type MR), the pseudonym after it;
     * with an accession number, an ORC (RE) whose placer order number, like OBR-2 and OBR-18, is the
     * accession number, so the EHR files the result against its order. OBR-3 stays the alert id.
     */
    public static ORU_R01 oru(DriftAlert a, Receiver to, IdentifierSeal.Identifiers ids, String mrnAuthority) {
        try {
            ORU_R01 m = new ORU_R01();
            MSH msh = m.getMSH();
            // Set here rather than by initQuickstart, whose control-id generator writes an id_file into
            // the working directory (and MSH-10 is the alert's own anyway).
            msh.getFieldSeparator().setValue("|");
            msh.getEncodingCharacters().setValue("^~\\&");
            msh.getMessageType().getMessageCode().setValue("ORU");
            msh.getMessageType().getTriggerEvent().setValue("R01");
            msh.getMessageType().getMessageStructure().setValue("ORU_R01");
            msh.getProcessingID().getProcessingID().setValue("P");
            msh.getSendingApplication().getNamespaceID().setValue(AUTHORITY);
            msh.getSendingFacility().getNamespaceID().setValue(AUTHORITY);
            msh.getReceivingApplication().getNamespaceID().setValue(to.application());
            msh.getReceivingFacility().getNamespaceID().setValue(to.facility());
            msh.getDateTimeOfMessage().getTime().setValue(TS.format(a.getCreatedAt()));
            msh.getMessageControlID().setValue(controlId(a.getAlertId()));
            msh.getVersionID().getVersionID().setValue("2.5");

            PID pid = m.getPATIENT_RESULT().getPATIENT().getPID();
            pid.getSetIDPID().setValue("1");
            int rep = 0;
            if (ids != null) {
                pid.getPatientIdentifierList(rep).getIDNumber().setValue(ids.patientId());
                pid.getPatientIdentifierList(rep)
                        .getAssigningAuthority()
                        .getNamespaceID()
                        .setValue(mrnAuthority);
                pid.getPatientIdentifierList(rep++).getIdentifierTypeCode().setValue("MR");
            }
            pid.getPatientIdentifierList(rep).getIDNumber().setValue(a.getPatient());
            pid.getPatientIdentifierList(rep)
                    .getAssigningAuthority()
                    .getNamespaceID()
                    .setValue(AUTHORITY);
            pid.getPatientIdentifierList(rep).getIdentifierTypeCode().setValue("PT");
            // PID-5 is required in v2.5; alert-out knows no name, so a site-configured placeholder goes.
            String[] name = to.patientName().split("\\^", -1);
            pid.getPatientName(0).getFamilyName().getSurname().setValue(name[0]);
            if (name.length > 1 && !name[1].isEmpty()) {
                pid.getPatientName(0).getGivenName().setValue(name[1]);
            }

            ORU_R01_ORDER_OBSERVATION order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
            OBR obr = order.getOBR();
            obr.getSetIDOBR().setValue("1");
            if (ids != null && ids.accessionNumber() != null) {
                ORC orc = order.getORC();
                orc.getOrderControl().setValue("RE");
                orc.getPlacerOrderNumber().getEntityIdentifier().setValue(ids.accessionNumber());
                orc.getFillerOrderNumber().getEntityIdentifier().setValue(a.getAlertId());
                orc.getFillerOrderNumber().getNamespaceID().setValue(AUTHORITY);
                obr.getPlacerOrderNumber().getEntityIdentifier().setValue(ids.accessionNumber());
                obr.getPlacerField1().setValue(ids.accessionNumber());
            }
            obr.getFillerOrderNumber().getEntityIdentifier().setValue(a.getAlertId());
            obr.getFillerOrderNumber().getNamespaceID().setValue(AUTHORITY);
            code(obr.getUniversalServiceIdentifier(), "XRAY-DRIFT-ALERT", "Chest radiograph drift alert");
            obr.getObservationDateTime().getTime().setValue(TS.format(a.getAcquiredAt()));
            obr.getResultsRptStatusChngDateTime().getTime().setValue(TS.format(a.getCreatedAt()));
            obr.getDiagnosticServSectID().setValue("CR");
            obr.getResultStatus().setValue("P");

            int n = 0;
            observation(
                    order.getOBSERVATION(n++).getOBX(),
                    n,
                    "CE",
                    "ALERT-KIND",
                    "Alert kind",
                    ce(m, a.getKind().name(), Wording.kind(a.getKind())));
            observation(
                    order.getOBSERVATION(n++).getOBX(),
                    n,
                    "CE",
                    "LEVEL-FROM",
                    "Level before the scan",
                    ce(m, a.getFromLevel().name(), a.getFromLevel().name().toLowerCase(Locale.ROOT)));
            observation(
                    order.getOBSERVATION(n++).getOBX(),
                    n,
                    "CE",
                    "LEVEL-TO",
                    "Level after the scan",
                    ce(m, a.getToLevel().name(), a.getToLevel().name().toLowerCase(Locale.ROOT)));
            NM score = new NM(m);
            score.setValue(String.format(Locale.ROOT, "%.4f", a.getScore()));
            observation(
                    order.getOBSERVATION(n++).getOBX(),
                    n,
                    "NM",
                    "SEVERITY-SCORE",
                    "Severity score of the scan (0 healthy .. 1 severe)",
                    score);
            TX reason = new TX(m);
            reason.setValue(a.getReason());
            observation(order.getOBSERVATION(n++).getOBX(), n, "TX", "REASON", "Why the alert was raised", reason);
            ST model = new ST(m);
            model.setValue(a.getModel().getId() + " " + a.getModel().getVersion());
            observation(order.getOBSERVATION(n++).getOBX(), n, "ST", "MODEL", "Model that embedded the scan", model);
            int sub = 0;
            for (Neighbour nb :
                    a.getEvidence().subList(0, Math.min(5, a.getEvidence().size()))) {
                ST v = new ST(m);
                v.setValue(String.format(
                        Locale.ROOT,
                        "%s at distance %.4f",
                        nb.getLabel().name().toLowerCase(Locale.ROOT),
                        nb.getDistance()));
                OBX obx = order.getOBSERVATION(n++).getOBX();
                observation(obx, n, "ST", "NEIGHBOUR", "Nearest labelled scan", v);
                // The same observation repeated: OBX-4 (observation sub-ID) tells the repetitions apart.
                obx.getObservationSubID().setValue(String.valueOf(++sub));
            }
            order.getNTE().getComment(0).setValue(Wording.DISCLAIMER);
            return m;
        } catch (HL7Exception e) {
            throw new IllegalStateException("alert " + a.getAlertId() + " could not be built as ORU^R01", e);
        }
    }

    /**
     * MSH-10 for an alert: 20 hex characters of SHA-256 of its id (MSH-10 is at most 20 characters;
     * the alert id is longer), the same for every send of that alert.
     */
    public static String controlId(String alertId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(alertId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void observation(OBX obx, int setId, String type, String code, String text, Type value)
            throws HL7Exception {
        obx.getSetIDOBX().setValue(String.valueOf(setId));
        obx.getValueType().setValue(type);
        code(obx.getObservationIdentifier(), code, text);
        obx.getObservationValue(0).setData(value);
        obx.getObservationResultStatus().setValue("P");
    }

    private static void code(CE ce, String code, String text) throws HL7Exception {
        ce.getIdentifier().setValue(code);
        ce.getText().setValue(text);
        ce.getNameOfCodingSystem().setValue(LOCAL);
    }

    private static CE ce(ORU_R01 m, String code, String text) throws HL7Exception {
        CE c = new CE(m);
        code(c, code, text);
        return c;
    }
}
