package io.xraydrift.ingest.dicom;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.network.DicomNetworkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.AnyExplicitStorePresentationContextSelectionPolicy;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DimseMessageReceiver;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;

import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.service.DicomSupport;

/**
 * The DICOM door: a Storage SCP (C-STORE, C-ECHO) on PixelMed's association layer that answers each
 * instance with a status that tells the truth, which PixelMed's own SCP cannot (it answers Success
 * to everything). Before an association is accepted the A-ASSOCIATE-RQ is read here: a calling AE
 * title or a peer host that is not let in is answered A-ASSOCIATE-RJ (permanent, "calling AE title
 * not recognized") and the refusal is reported; presentation contexts of SOP classes or transfer
 * syntaxes ingest does not read are rejected in the A-ASSOCIATE-AC (abstract / transfer syntax not
 * supported). Each C-STORE is answered:
 * <ul>
 *   <li>0x0000 Success once the handler kept the instance (admitted, a duplicate, or on disk until
 *       Kafka is back);</li>
 *   <li>0xB000 (warning: coercion of data elements) when admitted with the receipt time because the
 *       film carries no plausible acquisition time (XRAY_INGEST_UNDATED=receipt), with an ErrorComment
 *       saying so;</li>
 *   <li>0xA900 (data set does not match the SOP class: not a radiograph ingest reads), 0xC000
 *       (cannot understand: invalid), 0xC001 (too large), 0xC002 (the SOP Instance UID came before for
 *       another patient) when refused — with an ErrorComment (0000,0902) naming the tag at fault, never
 *       a value;</li>
 *   <li>0xA700 (out of resources) when it could be neither admitted nor kept: the peer sends again.</li>
 * </ul>
 * With a key store it speaks DICOM TLS (PS3.15 B.9, BCP 195: TLS 1.2 and 1.3 only); with a trust
 * store, peers must present a certificate it trusts.
 */
final class StoreScp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreScp.class);
    static final int SUCCESS = 0x0000;
    /** Warning "Coercion of data elements": stored, its acquisition time taken from the receipt. */
    static final int COERCED = 0xB000;
    static final String RECEIPT_TIME = "AcquisitionDateTime: none plausible, receipt time used";
    static final int OUT_OF_RESOURCES = 0xA700;
    static final int NOT_THIS_SOP_CLASS = 0xA900;
    static final int INVALID = 0xC000;
    static final int TOO_LARGE = 0xC001;
    static final int CONFLICT = 0xC002;
    static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    private static final int C_STORE_RQ = 0x0001;
    private static final int C_ECHO_RQ = 0x0030;
    private static final int MAX_ASSOCIATE_RQ = 64 * 1024;

    private final IngestConfig.DicomDoor door;
    private final DicomSupport.StoredFile handler;
    private final ServerSocket server;
    private final ExecutorService associations = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "ingest-dicom-association");
        t.setDaemon(true);
        return t;
    });
    private final Thread acceptor;
    private volatile boolean closed;

    StoreScp(IngestConfig.DicomDoor door, DicomSupport.StoredFile handler) throws IOException {
        this.door = door;
        this.handler = handler;
        this.server = door.tls() ? DicomTls.serverSocket(door) : new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(door.host(), door.port()), 50);
        this.acceptor = new Thread(this::accept, "ingest-dicom-scp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port it listens on. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                associations.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DICOM SCP accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket socket) {
        String address = socket.getInetAddress().getHostAddress();
        try (socket) {
            socket.setSoTimeout(60_000);
            byte[] request = readAssociateRequest(socket.getInputStream());
            if (request == null) {
                return;
            }
            String calling = new String(request, 26, 16, StandardCharsets.US_ASCII).strip();
            DicomSupport.Peer peer = new DicomSupport.Peer(calling, address);
            String why = refusal(peer, socket);
            if (why != null) {
                // A-ASSOCIATE-RJ: rejected-permanent (1), by the service user (1), calling AE title not recognized (3).
                socket.getOutputStream().write(new byte[] {0x03, 0, 0, 0, 0, 4, 0, 1, 1, 3});
                socket.getOutputStream().flush();
                LOG.warn("DICOM association from {} refused: {}", address, why);
                handler.associationRefused(peer, why);
                return;
            }
            Association association = AssociationFactory.createNewAssociation(new ReplayedSocket(socket, request),
                    door.aeTitle(), POLICY);
            try {
                while (true) {
                    DimseMessageReceiver message = new DimseMessageReceiver();
                    association.setReceivedDataHandler(message);
                    association.waitForPDataPDUsUntilHandlerReportsDone();
                    association.send(message.presentationContextId(), answer(association, message, peer), null);
                }
            } catch (AReleaseException released) {
                // The peer released the association; PixelMed has answered A-RELEASE-RP.
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.info("DICOM association from {} ended: {}", address, e.toString());
            }
        }
    }

    /** Why this peer is not let in, or null. Never repeats more than the AE title it gave. */
    private String refusal(DicomSupport.Peer peer, Socket socket) {
        if (!door.callingHosts().isEmpty() && door.callingHosts().stream().noneMatch(h ->
                h.equalsIgnoreCase(peer.address()) || h.equalsIgnoreCase(socket.getInetAddress().getHostName()))) {
            return "host " + peer.address() + " is not in " + IngestConfig.DICOM_CALLING_HOSTS;
        }
        if (!door.callingAeTitles().isEmpty() && !door.callingAeTitles().contains(peer.callingAeTitle())) {
            return "calling AE title '" + printable(peer.callingAeTitle()) + "' is not in "
                    + IngestConfig.DICOM_CALLING_AE_TITLES;
        }
        return null;
    }

    /** The response to one request message: C-ECHO Success; C-STORE with the handler's verdict. */
    private byte[] answer(Association association, DimseMessageReceiver message, DicomSupport.Peer peer)
            throws DicomException, IOException, DicomNetworkException {
        AttributeList command = message.command();
        int field = Attribute.getSingleIntegerValueOrDefault(command, TagFromName.CommandField, -1);
        int messageId = Attribute.getSingleIntegerValueOrDefault(command, TagFromName.MessageID, 0);
        String sopClass = Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPClassUID);
        if (field == C_ECHO_RQ) {
            return response(0x8030, sopClass, null, messageId, SUCCESS, null);
        }
        String sopInstance = Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPInstanceUID);
        if (field != C_STORE_RQ) {
            // Only C-STORE and C-ECHO are offered; anything else is answered "unrecognized operation".
            return response(field | 0x8000, sopClass, sopInstance.isEmpty() ? null : sopInstance, messageId, 0x0211,
                    "only C-STORE and C-ECHO are served");
        }
        if (!DicomFiles.SOP_CLASSES.containsKey(sopClass)) {
            return response(0x8001, sopClass, sopInstance, messageId, SOP_CLASS_NOT_SUPPORTED,
                    "AffectedSOPClassUID is not a radiograph class ingest reads");
        }
        String syntax = association.getTransferSyntaxForPresentationContextID(message.presentationContextId());
        byte[] file = part10(sopClass, sopInstance, syntax, message.data());
        int status;
        String comment = null;
        try {
            DicomSupport.Stored verdict = handler.stored(file, peer);
            Rejected refused = verdict.refused();
            status = refused != null ? status(refused) : verdict.timeCoerced() ? COERCED : SUCCESS;
            comment = refused != null ? comment(refused) : verdict.timeCoerced() ? RECEIPT_TIME : null;
        } catch (Exception e) {
            LOG.warn("C-STORE from {}: the instance could be neither admitted nor kept ({}); answered 0xA700",
                    peer.address(), e.toString());
            status = OUT_OF_RESOURCES;
            comment = "not kept now; send again";
        }
        return response(0x8001, sopClass, sopInstance, messageId, status, comment);
    }

    static int status(Rejected refused) {
        return switch (refused.kind()) {
            case UNSUPPORTED_TYPE -> NOT_THIS_SOP_CLASS;
            case TOO_LARGE -> TOO_LARGE;
            case CONFLICT -> CONFLICT;
            case INVALID -> INVALID;
        };
    }

    /**
     * ErrorComment (LO, at most 64 characters): the tag at fault and what the refusal says to a peer,
     * which never repeats a header value.
     */
    static String comment(Rejected refused) {
        String text = (refused.field() == null ? "" : refused.field() + ": ") + refused.answer();
        text = printable(text);
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f && c != '\\' ? (char) c : '?'));
        return b.toString();
    }

    /** A DIMSE response command (implicit VR little endian, group length first). */
    static byte[] response(int commandField, String sopClass, String sopInstance, int messageId, int status,
                           String errorComment) throws DicomException, IOException {
        AttributeList list = new AttributeList();
        if (sopClass != null && !sopClass.isEmpty()) {
            put(list, new UniqueIdentifierAttribute(TagFromName.AffectedSOPClassUID), sopClass);
        }
        put(list, new UnsignedShortAttribute(TagFromName.CommandField), Integer.toString(commandField));
        put(list, new UnsignedShortAttribute(TagFromName.MessageIDBeingRespondedTo), Integer.toString(messageId));
        put(list, new UnsignedShortAttribute(TagFromName.CommandDataSetType), Integer.toString(0x0101));
        put(list, new UnsignedShortAttribute(TagFromName.Status), Integer.toString(status));
        if (sopInstance != null && !sopInstance.isEmpty()) {
            put(list, new UniqueIdentifierAttribute(TagFromName.AffectedSOPInstanceUID), sopInstance);
        }
        if (errorComment != null) {
            put(list, new LongStringAttribute(TagFromName.ErrorComment), errorComment);
        }
        byte[] body = implicitLittleEndian(list);
        AttributeList group = new AttributeList();
        put(group, new UnsignedLongAttribute(new AttributeTag(0x0000, 0x0000)), Integer.toString(body.length));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(implicitLittleEndian(group));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void put(AttributeList list, Attribute a, String value) throws DicomException {
        a.addValue(value);
        list.put(a);
    }

    private static byte[] implicitLittleEndian(AttributeList list) throws DicomException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomOutputStream dout = new DicomOutputStream(out, null, TransferSyntax.ImplicitVRLittleEndian);
        list.write(dout);
        dout.flush();
        return out.toByteArray();
    }

    /** The received data set as a Part 10 file: preamble, file meta information, then the data set as sent. */
    static byte[] part10(String sopClass, String sopInstance, String transferSyntax, byte[] dataSet)
            throws DicomException, IOException {
        AttributeList meta = new AttributeList();
        FileMetaInformation.addFileMetaInformation(meta, sopClass, sopInstance, transferSyntax, "XRAYDRIFT");
        ByteArrayOutputStream out = new ByteArrayOutputStream(dataSet.length + 512);
        DicomOutputStream dout = new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, transferSyntax);
        meta.write(dout);
        dout.flush();
        out.writeBytes(dataSet);
        return out.toByteArray();
    }

    /**
     * Reads the A-ASSOCIATE-RQ PDU (type 0x01) whole, or returns null when the peer sends anything
     * else (the connection is then closed).
     */
    private static byte[] readAssociateRequest(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[6];
        data.readFully(header);
        long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFFL) << 16) | ((header[4] & 0xFF) << 8)
                | (header[5] & 0xFF);
        if (header[0] != 0x01 || length < 68 || length > MAX_ASSOCIATE_RQ) {
            return null;
        }
        byte[] pdu = new byte[6 + (int) length];
        System.arraycopy(header, 0, pdu, 0, 6);
        data.readFully(pdu, 6, (int) length);
        return pdu;
    }

    /**
     * The presentation contexts ingest takes: PixelMed's choice among the proposed transfer
     * syntaxes, then every SOP class other than the radiograph classes and Verification rejected
     * (abstract syntax not supported) and every transfer syntax ingest cannot decode rejected
     * (transfer syntaxes not supported) — a CT slice is refused at association, not after it is sent.
     */
    private static final PresentationContextSelectionPolicy POLICY = new PresentationContextSelectionPolicy() {
        private final PresentationContextSelectionPolicy pixelmed = new AnyExplicitStorePresentationContextSelectionPolicy();

        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int association) {
            return filter(pixelmed.applyPresentationContextSelectionPolicy(contexts, association));
        }

        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int association, int debug) {
            return filter(pixelmed.applyPresentationContextSelectionPolicy(contexts, association, debug));
        }

        private LinkedList filter(LinkedList contexts) {
            for (Object o : contexts) {
                PresentationContext pc = (PresentationContext) o;
                String abstractSyntax = pc.getAbstractSyntaxUID();
                boolean verification = SOPClass.Verification.equals(abstractSyntax);
                if (pc.getResultReason() != 0) {
                    continue;
                }
                if (!verification && !DicomFiles.SOP_CLASSES.containsKey(abstractSyntax)) {
                    pc.setResultReason((byte) 3);
                } else if (!verification && !DicomFiles.TRANSFER_SYNTAXES.containsKey(pc.getTransferSyntaxUID())) {
                    pc.setResultReason((byte) 4);
                }
            }
            return contexts;
        }
    };

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        server.close();
        associations.shutdownNow();
        associations.awaitTermination(5, TimeUnit.SECONDS);
        acceptor.join(5000);
    }
}
