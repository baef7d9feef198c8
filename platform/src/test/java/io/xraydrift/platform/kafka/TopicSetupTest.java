package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings topics are created with on a cluster: min.insync.replicas where replicas can be spared. */
class TopicSetupTest {

    private static final Map<String, String> DECLARED = Map.of("cleanup.policy", "compact");

    @Test
    void threeReplicasMeanTwoInSyncBeforeAWriteCounts() {
        assertEquals(
                Map.of("cleanup.policy", "compact", "min.insync.replicas", "2"),
                TopicSetup.configs(DECLARED, (short) 3));
        assertEquals("2", TopicSetup.configs(Map.of(), (short) 5).get("min.insync.replicas"));
    }

    @Test
    void fewerReplicasOrADeclaredValueAreLeftAsTheyAre() {
        assertEquals(DECLARED, TopicSetup.configs(DECLARED, (short) 1));
        assertEquals(DECLARED, TopicSetup.configs(DECLARED, (short) 2));
        Map<String, String> own = Map.of("min.insync.replicas", "3");
        assertEquals(own, TopicSetup.configs(own, (short) 3));
    }
}
