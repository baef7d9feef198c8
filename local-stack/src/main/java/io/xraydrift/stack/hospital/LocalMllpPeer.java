package io.xraydrift.stack.hospital;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.util.StandardSocketFactory;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The EHR's interface engine, on this machine: HAPI v2's MLLP server on a loopback port, taking
 * every HL7 v2 message, keeping its text and answering {@code AA}. What the demo's hospital path
 * sends alert-out's ORU^R01s to, and prints.
 */
public final class LocalMllpPeer implements AutoCloseable {

    private final HapiContext context = new DefaultHapiContext();
    private final HL7Service server;
    private final int port;
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public LocalMllpPeer(int port) {
        this.port = port;
        context.setValidationContext(ValidationContextFactory.noValidation());
        // the ACKs' control ids: HAPI's default generator keeps a counter file (id_file) in the working directory
        context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        context.setSocketFactory(new StandardSocketFactory() {
            @Override
            public ServerSocket createServerSocket() throws IOException {
                return new LoopbackServerSocket();
            }
        });
        server = context.newServer(port, false);
        server.registerApplication("*", "*", new ReceivingApplication<Message>() {
            @Override
            public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
                String text = message.encode();
                received.add(text);
                listeners.forEach(l -> l.accept(text));
                try {
                    return message.generateACK();
                } catch (IOException e) {
                    throw new HL7Exception(e);
                }
            }

            @Override
            public boolean canProcess(Message message) {
                return true;
            }
        });
    }

    public int port() {
        return port;
    }

    /** Starts listening; returns once the port is bound. */
    public void start() throws InterruptedException {
        server.startAndWait();
    }

    /** Every message taken, as HL7 v2 text (segments separated by carriage returns). */
    public List<String> received() {
        return received;
    }

    /** Called with each message's text as it is taken. */
    public void onMessage(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() throws IOException {
        server.stopAndWait();
        context.close();
    }

    /** A server socket that binds the loopback address whatever address it is asked to bind. */
    private static final class LoopbackServerSocket extends ServerSocket {

        LoopbackServerSocket() throws IOException {
            super();
        }

        @Override
        public void bind(SocketAddress endpoint, int backlog) throws IOException {
            int p = endpoint instanceof InetSocketAddress a ? a.getPort() : 0;
            super.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), backlog);
        }
    }
}
