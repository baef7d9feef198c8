package io.xraydrift.ingest.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;

import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;

import io.xraydrift.ingest.IngestConfig;

/**
 * DICOM TLS for the SCP (PS3.15 B.9, the BCP 195 TLS profile): TLS 1.2 and 1.3 only, the JDK's
 * AEAD cipher suites with forward secrecy (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305, the suites
 * BCP 195 recommends), the SCP's key and certificate from a PKCS #12 (or JKS) key store, and — when
 * a trust store is configured — a client certificate required and checked against it.
 */
final class DicomTls {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private DicomTls() {
    }

    static ServerSocket serverSocket(IngestConfig.DicomDoor door) throws IOException {
        try {
            char[] password = door.tlsPassword().toCharArray();
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(door.tlsKeyStore(), password), password);
            TrustManagerFactory trust = null;
            if (door.tlsTrustStore() != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(door.tlsTrustStore(), password));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            SSLParameters p = server.getSSLParameters();
            p.setProtocols(PROTOCOLS);
            p.setCipherSuites(Arrays.stream(server.getSupportedCipherSuites()).filter(DicomTls::bcp195).toArray(String[]::new));
            p.setNeedClientAuth(door.tlsTrustStore() != null);
            server.setSSLParameters(p);
            return server;
        } catch (GeneralSecurityException e) {
            throw new IOException("DICOM TLS could not be set up from " + IngestConfig.DICOM_TLS_KEYSTORE + " "
                    + door.tlsKeyStore() + ": " + e.getMessage(), e);
        }
    }

    /** TLS 1.3's suites, and TLS 1.2's with ephemeral keys and an AEAD cipher. */
    static boolean bcp195(String suite) {
        return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")
                || (suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_"))
                && (suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"));
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().toLowerCase(Locale.ROOT).endsWith(".jks")
                    ? "JKS" : "PKCS12");
            ks.load(in, password);
            return ks;
        }
    }
}
