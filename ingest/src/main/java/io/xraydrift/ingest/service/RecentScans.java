package io.xraydrift.ingest.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scan ids this instance emitted lately, each with the patient (pseudonym) it was emitted for
 * (bounded, least recently seen dropped first), so the same scan sent twice — an upload retried, a
 * feed re-sending — gives one event, and the same SOP Instance UID sent for another patient is
 * seen as the conflict it is. Beyond the bound or across instances the downstream stages still key
 * everything by scan id (the drift monitor ignores a repeated scan).
 */
final class RecentScans {

    /** What {@link #claim} found. */
    enum Claim {
        NEW,
        DUPLICATE,
        CONFLICT
    }

    private final Map<String, String> ids;

    RecentScans(int capacity) {
        this.ids = new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Records a scan for a patient: NEW the first time (recorded), DUPLICATE when it came before
     * for the same patient, CONFLICT when it came before for another (the first patient stays).
     */
    synchronized Claim claim(String scanId, String patient) {
        String earlier = ids.putIfAbsent(scanId, patient); // an existing entry counts as accessed (recently seen)
        if (earlier == null) {
            return Claim.NEW;
        }
        return earlier.equals(patient) ? Claim.DUPLICATE : Claim.CONFLICT;
    }

    /** The patient a recorded scan was first emitted for, or null. */
    synchronized String patientOf(String scanId) {
        return ids.get(scanId);
    }

    /** Forgets an id whose event could not be written. */
    synchronized void forget(String scanId) {
        ids.remove(scanId);
    }
}
