package io.xraydrift.alertout.message;

import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * An alert as a DICOM Structured Report (Enhanced SR) that sits beside the film in the PACS: the
 * film's patient, study and order, a series of its own, the alert's kind, levels, score, reason and
 * disclaimer, and a reference to the film's SOP instance. Its SOP instance UID is derived from the
 * alert id, so a resend is the same instance. Built with PixelMed in alert-out's {@code src/dicom}
 * where Debian's {@code libpixelmed-java} is installed; {@link #available()} is empty elsewhere.
 */
public interface StructuredReports {

    /** The package that brings the DICOM toolkit, named in every message about its absence. */
    String PACKAGE = "libpixelmed-java (apt-get install libpixelmed-java)";

    /** The SR as a DICOM Part 10 file; {@code ids} must name the film's study and SOP instance. */
    byte[] report(DriftAlert alert, IdentifierSeal.Identifiers ids, String patientName);

    /** The implementation on the class path, if alert-out was built with the DICOM toolkit. */
    static Optional<StructuredReports> available() {
        try {
            return ServiceLoader.load(StructuredReports.class).findFirst();
        } catch (ServiceConfigurationError | NoClassDefFoundError e) {
            return Optional.empty();
        }
    }
}
