package io.xraydrift.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least a given feature version for child processes (Apicurio Registry
 * needs 21+ while the project builds and runs on 17). Searched in order: {@code XRAY_REGISTRY_JAVA}
 * (a JDK home or a java binary), {@code JAVA_HOME}, this JVM, then every directory under
 * {@code /usr/lib/jvm}.
 */
public final class JavaRuntimes {

    /** Environment variable (or system property {@code xray.registry.java}) naming the runtime to use. */
    public static final String REGISTRY_JAVA = "XRAY_REGISTRY_JAVA";

    private static final Pattern VERSION = Pattern.compile("^(?:1\\.)?(\\d+)");

    private JavaRuntimes() {}

    /** The java executable of the first runtime with feature version {@code >= minimum}. */
    public static Path find(int minimum) {
        List<String> searched = new ArrayList<>();
        for (Candidate candidate : candidates()) {
            Optional<Integer> version = featureVersion(candidate.home());
            Path java = candidate.home().resolve("bin").resolve("java");
            searched.add(candidate.origin() + "=" + candidate.home()
                    + version.map(v -> " (Java " + v + ")").orElse(" (no Java found)"));
            if (version.isPresent() && version.get() >= minimum && Files.isExecutable(java)) {
                return java;
            }
        }
        throw new IllegalStateException("No Java " + minimum + "+ runtime found for Apicurio Registry. Searched: "
                + String.join(", ", searched) + ". Install one (e.g. a Temurin 21 or 25 JDK) or set "
                + REGISTRY_JAVA + " to its home directory or java binary.");
    }

    private record Candidate(String origin, Path home) {}

    private static List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        String explicit = System.getProperty("xray.registry.java", System.getenv(REGISTRY_JAVA));
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit.trim());
            out.add(new Candidate(
                    REGISTRY_JAVA, Files.isRegularFile(p) ? p.getParent().getParent() : p));
        }
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            out.add(new Candidate("JAVA_HOME", Path.of(javaHome.trim())));
        }
        out.add(new Candidate("java.home", Path.of(System.getProperty("java.home"))));
        Path jvmDir = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvmDir)) {
            try (Stream<Path> homes = Files.list(jvmDir)) {
                homes.filter(Files::isDirectory).sorted().forEach(h -> out.add(new Candidate("/usr/lib/jvm", h)));
            } catch (IOException e) {
                out.add(new Candidate("/usr/lib/jvm (unreadable: " + e.getMessage() + ")", jvmDir));
            }
        }
        return out;
    }

    /** The feature version from the JDK's {@code release} file, e.g. 25 for "25.0.1". */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String raw = p.getProperty("JAVA_VERSION", "").replace("\"", "").trim().toLowerCase(Locale.ROOT);
        Matcher m = VERSION.matcher(raw);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }
}
