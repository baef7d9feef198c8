package io.xraydrift.cli.demo;

import io.xraydrift.cli.ops.ScanUpload;
import io.xraydrift.phantoms.Manifest;
import io.xraydrift.phantoms.PhantomSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One scan the demo's feeds send: a rendered phantom or a real film from a manifest folder, with
 * the raw patient id a hospital would send (ingest pseudonymises it), its acquisition time, view,
 * the trajectory kind it belongs to (for the summary) and the encoded image.
 */
public record DemoScan(
        String patient, Instant acquiredAt, boolean portable, String trajectory, byte[] image, String contentType) {

    /** Phantom series items with their rendered PNGs ({@code pngs} null: not rendered yet, images null). */
    public static List<DemoScan> phantoms(List<PhantomSet.Item> items, byte[][] pngs) {
        List<DemoScan> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            PhantomSet.Item item = items.get(i);
            out.add(new DemoScan(
                    item.patient(),
                    item.acquiredAt(),
                    item.portable(),
                    item.trajectory(),
                    pngs == null ? null : pngs[i],
                    "image/png"));
        }
        return out;
    }

    /**
     * Real patient series: every row of a manifest folder with a trajectory kind and an acquisition
     * time, in acquisition order per patient.
     */
    static List<DemoScan> series(Path dir) {
        List<DemoScan> out = new ArrayList<>();
        for (Manifest.Entry e : Manifest.read(dir)) {
            if (e.acquiredAt() == null || e.trajectory().isEmpty()) {
                throw new IllegalArgumentException(dir.resolve(PhantomSet.MANIFEST) + " line " + e.line()
                        + ": a patient series needs acquired_at and trajectory, got '" + e.acquiredAt() + "' and '"
                        + e.trajectory() + "'");
            }
            byte[] image = e.read();
            String type = ScanUpload.contentType(image);
            if (type == null) {
                throw new IllegalArgumentException(e.image() + " is not a PNG or JPEG file");
            }
            out.add(new DemoScan(
                    e.patient(), e.acquiredAt(), "AP".equalsIgnoreCase(e.view()), e.trajectory(), image, type));
        }
        out.sort(Comparator.comparing(DemoScan::patient).thenComparing(DemoScan::acquiredAt));
        return out;
    }

    /** The label-free view a feed reports. */
    String view() {
        return portable ? "AP" : "PA";
    }
}
