package io.xraydrift.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Picked ports are bindable and outside the range outgoing connections take source ports from. */
class FreePortsTest {

    @Test
    void picksBindablePortsBelowTheEphemeralRange() throws Exception {
        int low = FreePorts.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.pick();
            assertTrue(port >= 1024 && port < low, port + " is below the ephemeral range starting at " + low);
            seen.add(port);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
        assertEquals(20, seen.size(), "successive picks differ: " + seen);
    }
}
