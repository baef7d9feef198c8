package io.xraydrift.ingest.service;

import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Reading DICOM files and taking them over DICOM's own network protocol (C-STORE). The
 * implementation lives in ingest's {@code src/dicom} and is built where Debian's
 * {@code libpixelmed-java} is installed (no DICOM toolkit is on Maven Central); without it
 * {@link #available()} is empty, {@code POST /studies} answers 501 and a configured C-STORE port
 * stops ingest at start with a message naming the package.
 */
public interface DicomSupport {

    /** The package that brings the DICOM toolkit, named in every message about its absence. */
    String PACKAGE = "libpixelmed-java (apt-get install libpixelmed-java libpixelmed-imageio-java)";

    /**
     * One DICOM file (Part 10, or a bare data set) as a submission: the patient id, acquisition time
     * ({@code now} when the file has no plausible date), view, modality and SOP Instance UID from its
     * header, its first frame rendered to an 8-bit display PNG (rescale, window or the stored range,
     * MONOCHROME1 inverted). A file that cannot be read as a frontal CR/DX film is refused with the
     * tag at fault and why; no header value is repeated.
     */
    Submission read(byte[] file, String source, Instant now) throws Rejected;

    /** A DICOM instance's SOP class and instance UIDs (either null where the header lacks it). */
    record SopRef(String sopClass, String instance) {

        /**
         * The UIDs as a sender may be told them back: UID characters only (0-9 and dots, at most 64),
         * else null; empty when neither is one.
         */
        public static Optional<SopRef> of(String sopClass, String instance) {
            String c = uid(sopClass);
            String i = uid(instance);
            return c == null && i == null ? Optional.empty() : Optional.of(new SopRef(c, i));
        }

        private static String uid(String v) {
            return v != null && v.length() <= 64 && v.matches("[0-9.]+") ? v : null;
        }
    }

    /**
     * The SOP class and instance UIDs of a file's header, read without its pixels; empty when the
     * header does not parse. For answering the sender only (STOW-RS items, audit by keyed hash).
     */
    Optional<SopRef> identify(byte[] file);

    /** Who is at the DICOM door: the calling AE title the peer gave and its network address. */
    record Peer(String callingAeTitle, String address) {}

    /**
     * The verdict on one received instance: {@code refused} (dead-lettered; a failure status) or
     * null (admitted, a duplicate or kept for later: Success), and whether a data element was
     * coerced on the way (the acquisition time taken from the receipt: warning 0xB000).
     */
    record Stored(Rejected refused, boolean timeCoerced) {

        public static final Stored KEPT = new Stored(null, false);
    }

    /**
     * What a C-STORE SCP does with each instance it receives, before the peer is answered: it must
     * leave the instance safe (admitted, dead-lettered or kept on disk) before it returns. Throwing
     * says it could do neither: the peer is answered "out of resources" (0xA700) and sends again.
     */
    interface StoredFile {
        /** What became of the instance: admitted (perhaps with its acquisition time coerced), kept, or refused. */
        Stored stored(byte[] file, Peer peer) throws Exception;

        /** An association refused before any instance was sent (calling AE title or host not let in). */
        void associationRefused(Peer peer, String why);
    }

    /**
     * Starts a Storage SCP (C-STORE of the radiograph classes ingest reads, and Verification) at the
     * door's host and port, answering to its AE title, letting in only its calling AE titles and hosts
     * (when listed), over DICOM TLS when it has a key store. Each instance is answered with a status
     * that tells the truth: Success once {@code handler} kept it, a failure status with an
     * ErrorComment naming the tag at fault (never a value) when refused. Instances are handled in
     * memory: nothing is spooled to disk on the way.
     */
    AutoCloseable listen(IngestConfig.DicomDoor door, StoredFile handler) throws IOException;

    /** The implementation on the class path, if ingest was built with the DICOM toolkit. */
    static Optional<DicomSupport> available() {
        try {
            return ServiceLoader.load(DicomSupport.class).findFirst();
        } catch (ServiceConfigurationError | NoClassDefFoundError e) {
            return Optional.empty();
        }
    }
}
