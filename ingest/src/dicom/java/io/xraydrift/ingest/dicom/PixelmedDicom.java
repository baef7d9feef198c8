package io.xraydrift.ingest.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;

import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.ingest.service.DicomSupport;

/** {@link DicomSupport} with PixelMed (Debian's {@code libpixelmed-java}, BSD licence). */
public final class PixelmedDicom implements DicomSupport {

    @Override
    public Submission read(byte[] file, String source, Instant now) throws Rejected {
        return DicomFiles.read(file, source, now);
    }

    @Override
    public Optional<SopRef> identify(byte[] file) {
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(file))) {
            AttributeList header = new AttributeList();
            header.read(in, TagFromName.PixelData);
            String sopClass = Attribute.getSingleStringValueOrNull(header, TagFromName.SOPClassUID);
            String instance = Attribute.getSingleStringValueOrNull(header, TagFromName.SOPInstanceUID);
            if (sopClass == null) {
                sopClass = Attribute.getSingleStringValueOrNull(header, TagFromName.MediaStorageSOPClassUID);
            }
            if (instance == null) {
                instance = Attribute.getSingleStringValueOrNull(header, TagFromName.MediaStorageSOPInstanceUID);
            }
            return sopClass == null && instance == null ? Optional.empty()
                    : Optional.of(new SopRef(uid(sopClass), uid(instance)));
        } catch (IOException | DicomException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A UID as a sender may be told it back: UID characters only (0-9 and dots, at most 64), else null. */
    private static String uid(String v) {
        return v != null && v.length() <= 64 && v.matches("[0-9.]+") ? v : null;
    }

    @Override
    public AutoCloseable listen(IngestConfig.DicomDoor door, StoredFile handler) throws IOException {
        return new StoreScp(door, handler);
    }
}
