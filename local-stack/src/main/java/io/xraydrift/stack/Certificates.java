package io.xraydrift.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed TLS identity for the local stack, made with the JDK's {@code keytool} when the
 * stack starts: a PKCS12 key store holding the broker's and registry's key (subject
 * {@value #SUBJECT}, valid for 127.0.0.1 and localhost) and a PKCS12 trust store holding its
 * certificate, both under one random password.
 *
 * @param keyStore   the key store (private key + certificate)
 * @param trustStore the trust store clients are given
 * @param password   the password of both stores
 */
public record Certificates(Path keyStore, Path trustStore, String password) {

    /** Subject of the certificate; as an SSL principal the broker is {@code User:CN=xray-local-stack}. */
    public static final String SUBJECT = "CN=xray-local-stack";
    /** Type of both stores. */
    public static final String STORE_TYPE = "PKCS12";

    /** Makes the stores in {@code dir} with the keytool of the running JDK. */
    public static Certificates create(Path dir) {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Path keyStore = dir.resolve("local-stack-key.p12");
        Path trustStore = dir.resolve("local-stack-trust.p12");
        Path certificate = dir.resolve("local-stack.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "local-stack",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                SUBJECT,
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "30",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                STORE_TYPE,
                "-storepass",
                password,
                "-keypass",
                password);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "local-stack",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                STORE_TYPE,
                "-storepass",
                password,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "local-stack",
                "-file",
                certificate.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                STORE_TYPE,
                "-storepass",
                password);
        try {
            Files.setPosixFilePermissions(keyStore, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict " + keyStore + " to its owner", e);
        }
        return new Certificates(keyStore, trustStore, password);
    }

    /** A TLS context trusting this identity alone, for Java's HTTP client. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance(STORE_TYPE);
            store.load(in, password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trust store " + trustStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("trust store " + trustStore + " unusable: " + e.getMessage(), e);
        }
    }

    private static void keytool(String... args) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(
                        "keytool " + args[0] + " failed with code " + rc + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + keytool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool", e);
        }
    }
}
