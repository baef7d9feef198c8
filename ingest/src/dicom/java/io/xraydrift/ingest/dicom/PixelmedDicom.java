package io.xraydrift.ingest.dicom;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

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
        return DicomFiles.identify(file);
    }

    @Override
    public AutoCloseable listen(IngestConfig.DicomDoor door, StoredFile handler) throws IOException {
        return new StoreScp(door, handler);
    }
}
