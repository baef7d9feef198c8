package io.xraydrift.alertout;

import io.xraydrift.alertout.delivery.DeliveryLoop;
import io.xraydrift.alertout.delivery.FhirSink;
import io.xraydrift.alertout.delivery.MllpSink;
import io.xraydrift.alertout.delivery.SealedIdentifierReader;
import io.xraydrift.alertout.delivery.Sink;
import io.xraydrift.alertout.delivery.SrSink;
import io.xraydrift.alertout.message.StructuredReports;
import io.xraydrift.platform.AbstractService;
import io.xraydrift.platform.ServiceShell;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.http.HttpEndpoint;
import io.xraydrift.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Alert-out: one {@link DeliveryLoop} per configured peer (HL7 v2 over MLLP, FHIR R4), each on its
 * own thread with its own consumer group, so a peer that is down holds back only its own alerts.
 * Readiness reports each peer as reachable or not (probed at start and every
 * {@code XRAY_ALERT_OUT_PROBE_INTERVAL}, and by each delivery); liveness, that each loop runs.
 */
public final class AlertOutService extends AbstractService {

    private final AlertOutConfig config;
    private final List<DeliveryLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private SealedIdentifierReader reid;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-out-probe");
        t.setDaemon(true);
        return t;
    });

    public AlertOutService(AlertOutConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return AlertOutConfig.SERVICE;
    }

    @Override
    public void start() {
        shell = ServiceShell.start(
                config.common(), health, routes -> {}, HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES, config.apiToken());
        if (config.reidKey() != null) {
            reid = new SealedIdentifierReader(config);
            reid.start();
        }
        List<Sink> sinks = new ArrayList<>();
        if (config.hl7() != null) {
            sinks.add(new MllpSink(config.hl7(), reid));
        }
        if (config.fhir() != null) {
            sinks.add(new FhirSink(config.fhir(), reid));
        }
        if (config.sr() != null) {
            sinks.add(new SrSink(
                    config.sr(),
                    StructuredReports.available()
                            .orElseThrow(() -> new ConfigException(AlertOutConfig.SR_STOW_URL
                                    + " is set but alert-out was built without DICOM support: install "
                                    + StructuredReports.PACKAGE + " and build again")),
                    reid));
        }
        for (Sink sink : sinks) {
            DeliveryLoop loop = new DeliveryLoop(sink, config, shell.metrics().registry());
            Thread t = new Thread(loop, "alert-out-" + sink.name());
            health.register(sink.name() + "-peer", loop::peerReachable);
            watchProgress(
                    config.common(), DeliveryLoop.group(sink), Set.of(Topics.ALERTS.name()), sink.name() + "-progress");
            health.registerLiveness(sink.name() + "-loop", t::isAlive);
            loops.add(loop);
            threads.add(t);
            t.start();
        }
        // Each peer is probed at once and then every interval: readiness tells the truth before the first alert.
        prober.scheduleWithFixedDelay(
                () -> loops.forEach(DeliveryLoop::probe),
                0,
                config.probeInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    protected void stopParts() {
        prober.shutdownNow();
        loops.forEach(DeliveryLoop::stop);
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (reid != null) {
            reid.close();
        }
    }
}
