package io.xraydrift.alertout.delivery;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.llp.LLPException;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.message.OruMessages;
import io.xraydrift.events.DriftAlert;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * HL7 v2 ORU^R01 over MLLP with HAPI HL7v2's client: one connection, kept open and opened again
 * after a failure; the ACK decides (AA/CA taken; AR/CR refused, with MSA-3's text; AE/CE, an
 * application error, is transient by HL7's meaning: retried for the configured time before it is
 * dead-lettered; no ACK within the timeout is a failure to reach the peer).
 */
public final class MllpSink implements Sink {

    private final AlertOutConfig.Hl7 peer;
    private final SealedIdentifierReader reid;
    private final HapiContext hapi = new DefaultHapiContext();
    private Connection connection;

    public MllpSink(AlertOutConfig.Hl7 peer) {
        this(peer, null);
    }

    /** @param reid the sealed identifiers, with re-identification on; null: PID-3 is the pseudonym */
    public MllpSink(AlertOutConfig.Hl7 peer, SealedIdentifierReader reid) {
        this.peer = peer;
        this.reid = reid;
    }

    @Override
    public String name() {
        return "hl7";
    }

    @Override
    public void deliver(DriftAlert alert) throws Refused, IOException {
        Message oru = OruMessages.oru(
                alert,
                new OruMessages.Receiver(peer.receivingApplication(), peer.receivingFacility(), peer.patientName()),
                Sink.identifiers(reid, alert),
                peer.mrnAuthority());
        Message ack;
        try {
            if (connection == null || !connection.isOpen()) {
                connection = hapi.newClient(peer.host(), peer.port(), false);
                connection.getInitiator().setTimeout(peer.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            ack = connection.getInitiator().sendAndReceive(oru);
        } catch (HL7Exception | LLPException | IOException e) {
            closeConnection();
            throw new IOException(
                    "MLLP peer " + peer.host() + ":" + peer.port() + " did not take ORU^R01 "
                            + OruMessages.controlId(alert.getAlertId()) + ": " + e.getMessage(),
                    e);
        }
        String code;
        String text;
        try {
            Terser t = new Terser(ack);
            code = t.get("/MSA-1");
            text = t.get("/MSA-3");
        } catch (HL7Exception e) {
            throw new Refused("the answer to ORU^R01 is not an ACK with an MSA segment");
        }
        if (!"AA".equals(code) && !"CA".equals(code)) {
            boolean applicationError = "AE".equals(code) || "CE".equals(code);
            throw new Refused(
                    "MLLP peer answered " + code + (text == null ? "" : " (" + text + ")"),
                    applicationError ? peer.errorRetryFor() : null);
        }
    }

    @Override
    public void probe() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(peer.host(), peer.port()), (int)
                    Math.min(Integer.MAX_VALUE, peer.timeout().toMillis()));
        } catch (IOException e) {
            throw new IOException(
                    "MLLP peer " + peer.host() + ":" + peer.port() + " does not accept a connection: " + e.getMessage(),
                    e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception e) {
                // the connection is gone either way
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
        try {
            hapi.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
