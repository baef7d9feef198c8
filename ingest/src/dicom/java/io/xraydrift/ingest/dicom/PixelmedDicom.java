package io.xraydrift.ingest.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.AnyExplicitStorePresentationContextSelectionPolicy;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;

import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.ingest.service.DicomSupport;

/** {@link DicomSupport} with PixelMed (Debian's {@code libpixelmed-java}, BSD licence). */
public final class PixelmedDicom implements DicomSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PixelmedDicom.class);

    @Override
    public Submission read(byte[] file, String source, Instant now) throws Rejected {
        return DicomFiles.read(file, source, now);
    }

    @Override
    public AutoCloseable listen(int port, String aeTitle, Path spool, StoredFile handler) throws IOException {
        Files.createDirectories(spool);
        ReceivedObjectHandler received = new ReceivedObjectHandler() {
            @Override
            public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle)
                    throws DicomNetworkException, DicomException, IOException {
                if (fileName == null) {
                    return;
                }
                Path f = Path.of(fileName);
                Rejected refused;
                try {
                    refused = handler.stored(Files.readAllBytes(f), callingAeTitle);
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    // Neither Kafka nor the disk took it: the association is aborted, the peer sends again.
                    throw new IOException("the instance could not be kept: " + e.getMessage(), e);
                } finally {
                    Files.deleteIfExists(f);
                }
                // PixelMed answers Success whatever happens here (an exception would only abort the
                // association): a refusal is dead-lettered by the handler, the peer is not told.
                if (refused != null) {
                    LOG.info("C-STORE from {} refused and dead-lettered: {}", callingAeTitle, refused.answer());
                }
            }
        };
        StorageSOPClassSCPDispatcher dispatcher = new StorageSOPClassSCPDispatcher(port, aeTitle, spool.toFile(),
                StoredFilePathStrategy.BYSOPINSTANCEUIDHASHSUBFOLDERS, received, null, null, null,
                new AnyExplicitStorePresentationContextSelectionPolicy(), false);
        Thread t = new Thread(dispatcher, "ingest-dicom-scp");
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!dispatcher.isReady() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("DICOM Storage SCP {} listening on port {} (C-STORE, C-ECHO)", aeTitle, port);
        return () -> {
            dispatcher.shutdown();
            t.join(5000);
        };
    }

}
