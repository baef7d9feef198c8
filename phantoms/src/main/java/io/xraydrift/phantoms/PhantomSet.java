package io.xraydrift.phantoms;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Plans and writes phantom data sets in the image-folder layout ({@code DIR/healthy/*.png},
 * {@code DIR/infected/*.png}, {@code DIR/severe/*.png}) with a CSV manifest
 * ({@code file,patient,level,severity,acquired_at,view,trajectory}). Everything follows from the
 * set's seed: the same seed and counts give the same files, byte for byte.
 */
public final class PhantomSet {

    /** Name of the manifest in the output directory. */
    public static final String MANIFEST = "manifest.csv";
    /** Header of the manifest. */
    public static final String HEADER = "file,patient,level,severity,acquired_at,view,trajectory";
    /** Severity ranges of the curated labelled cohort: clear of the thresholds, as a curated set is. */
    public static final double INFECTED_LOW = 0.18;

    public static final double INFECTED_HIGH = 0.50;
    public static final double SEVERE_LOW = 0.62;
    public static final double SEVERE_HIGH = 1.0;

    private static final Instant EPOCH = Instant.parse("2026-01-05T08:00:00Z");

    /** One scan to render. */
    public record Item(
            String file,
            String patient,
            long patientSeed,
            long scanSeed,
            double severity,
            Instant acquiredAt,
            boolean portable,
            String trajectory) {

        public Grade grade() {
            return Grade.of(severity);
        }

        /** Its manifest line. */
        public String csv() {
            return String.join(
                    ",",
                    file,
                    patient,
                    grade().label(),
                    String.format(Locale.ROOT, "%.4f", severity),
                    acquiredAt.toString(),
                    portable ? "AP" : "PA",
                    trajectory);
        }
    }

    private PhantomSet() {}

    /** A labelled cohort: one scan per patient, severities drawn within each level's curated range. */
    public static List<Item> labelled(int healthy, int infected, int severe, long seed, double portableFraction) {
        List<Item> items = new ArrayList<>();
        for (Grade g : Grade.values()) {
            int n = switch (g) {
                case HEALTHY -> healthy;
                case INFECTED -> infected;
                case SEVERE -> severe;
            };
            for (int i = 0; i < n; i++) {
                // The grade's ordinal stays in the seed: the phantoms (and weights trained on them) do not change.
                SplittableRandom r = new SplittableRandom(mix(seed, g.ordinal(), i));
                long patientSeed = r.nextLong();
                double s = switch (g) {
                    case HEALTHY -> 0.0;
                    case INFECTED -> r.nextDouble(INFECTED_LOW, INFECTED_HIGH);
                    case SEVERE -> r.nextDouble(SEVERE_LOW, SEVERE_HIGH);
                };
                String patient = patientName(patientSeed);
                items.add(new Item(
                        g.label() + "/" + patient + "-00.png",
                        patient,
                        patientSeed,
                        r.nextLong(),
                        s,
                        EPOCH.plus(Duration.ofMinutes(7L * items.size())),
                        r.nextDouble() < portableFraction,
                        ""));
            }
        }
        return items;
    }

    /** Patient series: trajectories cycle worsening, stable, improving, fluctuating. */
    public static List<Item> trajectories(int patients, int scansPerPatient, long seed, double portableFraction) {
        List<Item> items = new ArrayList<>();
        Trajectory[] kinds = Trajectory.values();
        for (int p = 0; p < patients; p++) {
            Trajectory kind = kinds[p % kinds.length];
            SplittableRandom r = new SplittableRandom(mix(seed, 7, p));
            long patientSeed = r.nextLong();
            String patient = patientName(patientSeed);
            List<Trajectory.Point> plan =
                    kind.plan(scansPerPatient, EPOCH.plus(Duration.ofHours(5L * p)), r.nextLong());
            for (int i = 0; i < plan.size(); i++) {
                Trajectory.Point point = plan.get(i);
                String file =
                        Grade.of(point.severity()).label() + "/" + patient + String.format(Locale.ROOT, "-%02d.png", i);
                items.add(new Item(
                        file,
                        patient,
                        patientSeed,
                        r.nextLong(),
                        point.severity(),
                        point.acquiredAt(),
                        r.nextDouble() < portableFraction,
                        kind.name().toLowerCase(Locale.ROOT)));
            }
        }
        return items;
    }

    /** Renders one item. */
    public static Phantom render(PhantomRenderer renderer, Item item) {
        return renderer.render(
                Anatomy.of(item.patientSeed()),
                Acquisition.of(item.scanSeed(), item.portable()),
                item.severity(),
                item.scanSeed() * 31 + 17);
    }

    /** Renders and writes the items (in parallel) plus the manifest; returns the manifest's path. */
    public static Path write(Path dir, List<Item> items, int size) {
        PhantomRenderer renderer = new PhantomRenderer(size);
        try {
            for (Grade g : Grade.values()) {
                Files.createDirectories(dir.resolve(g.label()));
            }
            IntStream.range(0, items.size()).parallel().forEach(i -> {
                Item item = items.get(i);
                try {
                    Files.write(dir.resolve(item.file()), render(renderer, item).toPng());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + dir.resolve(item.file()), e);
                }
            });
            Path manifest = dir.resolve(MANIFEST);
            try (BufferedWriter out = Files.newBufferedWriter(manifest, StandardCharsets.UTF_8)) {
                out.write(HEADER);
                out.newLine();
                for (Item item : items) {
                    out.write(item.csv());
                    out.newLine();
                }
            }
            return manifest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write phantoms to " + dir, e);
        }
    }

    static String patientName(long patientSeed) {
        return String.format(Locale.ROOT, "PH%012X", patientSeed & 0xFFFFFFFFFFFFL);
    }

    private static long mix(long seed, int a, int b) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        h *= 0xD6E8FEB86659FD93L;
        return h ^ (h >>> 32);
    }
}
