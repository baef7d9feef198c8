package io.xraydrift.schemas;

import io.xraydrift.events.Level;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

/** Sample events for tests. */
final class Events {

    private Events() {}

    static ScanReceived scan(String scanId, String patient) {
        return ScanReceived.newBuilder()
                .setScanId(scanId)
                .setPatient(patient)
                .setAcquiredAt(Instant.parse("2026-11-20T08:15:00Z"))
                .setReceivedAt(Instant.parse("2026-11-20T08:16:02.125Z"))
                .setSource("ward-3-gateway")
                .setView(ViewPosition.PA)
                .setModality("CR")
                .setWidth(4)
                .setHeight(2)
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4}))
                .setReferenceLabel(Level.INFECTED)
                .setAttributes(Map.of("ward", "3"))
                .build();
    }
}
