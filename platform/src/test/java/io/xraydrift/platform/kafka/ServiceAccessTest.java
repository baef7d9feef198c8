package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class ServiceAccessTest {

    @Test
    void everyDeclaredTopicIsWrittenBySomeServiceAndIntakeIsReadByIngestAlone() {
        Set<Topic<?>> written = new HashSet<>();
        for (ServiceAccess a : ServiceAccess.values()) {
            written.addAll(a.writes());
        }
        written.add(Topics.INTAKE); // written by hospital feeds
        assertEquals(new HashSet<>(Topics.all()), written);
        for (ServiceAccess a : ServiceAccess.values()) {
            assertEquals(a == ServiceAccess.INGEST, a.reads().contains(Topics.INTAKE), a.service());
        }
    }

    @Test
    void noServiceMayCreateDeleteOrAlterADeclaredTopicOrTouchAnotherServicesGroups() {
        for (ServiceAccess a : ServiceAccess.values()) {
            List<AclBinding> acls = a.acls("User:x");
            for (AclBinding b : acls) {
                AclOperation op = b.entry().operation();
                if (b.pattern().resourceType() == ResourceType.TOPIC
                        && b.pattern().patternType() == PatternType.LITERAL) {
                    assertTrue(Topics.byName(b.pattern().name()).isPresent(), b.toString());
                    assertFalse(
                            Set.of(
                                            AclOperation.CREATE,
                                            AclOperation.DELETE,
                                            AclOperation.ALTER,
                                            AclOperation.ALTER_CONFIGS,
                                            AclOperation.ALL)
                                    .contains(op),
                            b.toString());
                    if (op == AclOperation.READ) {
                        assertTrue(
                                a.reads().stream()
                                        .anyMatch(
                                                t -> t.name().equals(b.pattern().name())),
                                b.toString());
                    }
                    if (op == AclOperation.WRITE) {
                        assertTrue(
                                a.writes().stream()
                                        .anyMatch(
                                                t -> t.name().equals(b.pattern().name())),
                                b.toString());
                    }
                } else {
                    assertEquals(PatternType.PREFIXED, b.pattern().patternType(), b.toString());
                    assertTrue(b.pattern().name().startsWith(a.prefix()), b.toString());
                }
                assertFalse(b.pattern().resourceType() == ResourceType.CLUSTER, b.toString());
            }
        }
        // Prefixes must not cover one another, or one service could join another's group.
        for (ServiceAccess a : ServiceAccess.values()) {
            for (ServiceAccess b : ServiceAccess.values()) {
                assertTrue(a == b || !b.prefix().startsWith(a.prefix()), a + " covers " + b);
            }
        }
    }

    @Test
    void onlyTheStreamsServiceMayCreateItsOwnPrefixedInternalTopics() {
        for (ServiceAccess a : ServiceAccess.values()) {
            boolean creates = a.acls("User:x").stream().anyMatch(b -> b.entry().operation() == AclOperation.CREATE);
            assertEquals(a == ServiceAccess.DRIFT_MONITOR, creates, a.service());
        }
        assertTrue(ServiceAccess.DRIFT_MONITOR.acls("User:x", "ward-7").stream()
                .anyMatch(b -> b.entry().operation() == AclOperation.CREATE
                        && b.pattern().name().equals("ward-7-")));
    }

    @Test
    void aFeedMayOnlyWriteIntakeAndAnAlertReaderOnlyReadAlertsAndTrajectories() {
        assertEquals(
                Set.of("WRITE xray.scans.intake", "DESCRIBE xray.scans.intake"),
                ops(ServiceAccess.feedAcls("User:pacs")));
        assertEquals(
                Set.of(
                        "READ xray.alerts",
                        "DESCRIBE xray.alerts",
                        "READ xray.trajectories",
                        "DESCRIBE xray.trajectories",
                        "READ ward7-",
                        "DESCRIBE ward7-"),
                ops(ServiceAccess.alertReaderAcls("User:dash", "ward7-")));
    }

    private static Set<String> ops(List<AclBinding> acls) {
        Set<String> out = new HashSet<>();
        acls.forEach(b -> out.add(b.entry().operation() + " " + b.pattern().name()));
        return out;
    }

    @Test
    void namesParseAndTransactionalIdsCarryThePrefix() {
        assertEquals(ServiceAccess.DRIFT_MONITOR, ServiceAccess.parse("Drift-Monitor"));
        assertEquals("xray-indexer-host-1", ServiceAccess.INDEXER.transactionalId("host-1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceAccess.parse("billing"));
        assertTrue(e.getMessage().contains("'billing'"), e.getMessage());
    }
}
