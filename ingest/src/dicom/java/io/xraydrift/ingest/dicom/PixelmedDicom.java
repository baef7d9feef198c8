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
                    // Kafka did not take it: the peer gets a failure status and sends it again.
                    throw new IOException("the instance could not be admitted now: " + e.getMessage(), e);
                } finally {
                    Files.deleteIfExists(f);
                }
                if (refused != null) {
                    throw new DicomException("refused: " + refused.answer());
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
