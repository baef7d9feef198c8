package io.xraydrift.stack;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The local stack as a hospital runs it: Kafka reachable only over SASL_SSL (SCRAM-SHA-512) with
 * ACL authorisation, and the registry only over HTTPS, both with a certificate made by keytool at
 * start. The super user {@value LocalKafka#ADMIN_USER} creates users ({@link #createUser}) and
 * grants ACLs ({@link #grant}); {@link #clientSecurity} gives the client settings for a user.
 */
public final class SecureStack implements LocalStack {

    private final Path workDir;
    private final Certificates certificates;
    private final String adminPassword;
    /** The broker and the registry, started as the plain stack starts them, with TLS, SASL and ACLs. */
    private final EmbeddedStack parts;

    private SecureStack(Path workDir, Certificates certificates, String adminPassword, EmbeddedStack parts) {
        this.workDir = workDir;
        this.certificates = certificates;
        this.adminPassword = adminPassword;
        this.parts = parts;
    }

    /** Makes the certificate, then starts the broker and the registry side by side. */
    public static SecureStack start() {
        Path workDir = TempDirs.create("xray-secure-stack-");
        try {
            Certificates certificates = Certificates.create(workDir);
            String adminPassword = secret();
            return new SecureStack(
                    workDir,
                    certificates,
                    adminPassword,
                    EmbeddedStack.start(
                            () -> LocalKafka.startSecure(certificates, adminPassword),
                            () -> LocalRegistry.start(certificates)));
        } catch (RuntimeException e) {
            TempDirs.deleteQuietly(workDir);
            throw e;
        }
    }

    /** The certificate and stores clients trust. */
    public Certificates certificates() {
        return certificates;
    }

    /** Client settings for SCRAM user {@code user}: SASL_SSL, SCRAM-SHA-512, this stack's trust store. */
    public Map<String, String> clientSecurity(String user, String password) {
        Map<String, String> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, LocalKafka.SCRAM_MECHANISM);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, LocalKafka.scramJaas(user, password));
        p.put(
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                certificates.trustStore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, Certificates.STORE_TYPE);
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password());
        return p;
    }

    /** Client settings of the super user. */
    public Map<String, String> adminSecurity() {
        return clientSecurity(LocalKafka.ADMIN_USER, adminPassword);
    }

    /** An admin client as the super user. */
    public Admin admin() {
        Map<String, Object> p = new HashMap<>(adminSecurity());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(p);
    }

    /** Creates (or resets) SCRAM-SHA-512 user {@code user} with a fresh random password; returns the password. */
    public String createUser(String user) {
        String password = secret();
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create SCRAM user " + user + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating SCRAM user " + user, e);
        }
        return password;
    }

    /** Creates the ACLs. */
    public void grant(Collection<AclBinding> acls) {
        try (Admin admin = admin()) {
            admin.createAcls(acls).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create ACLs " + acls + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating ACLs", e);
        }
    }

    @Override
    public Map<String, Object> readerProperties(String groupPrefix) {
        Map<String, Object> p = LocalStack.super.readerProperties(groupPrefix);
        p.putAll(adminSecurity());
        return p;
    }

    @Override
    public String bootstrapServers() {
        return parts.bootstrapServers();
    }

    @Override
    public String registryUrl() {
        return parts.registryUrl();
    }

    @Override
    public String ccompatUrl() {
        return parts.ccompatUrl();
    }

    /** The registry's base URL ({@code https://127.0.0.1:PORT}). */
    @Override
    public String registryBaseUrl() {
        return parts.registry().baseUrl();
    }

    @Override
    public String describe() {
        return "Kafka (KRaft, in this JVM, SASL_SSL + SCRAM-SHA-512 + ACLs) at " + bootstrapServers()
                + ", Apicurio Registry (pid " + parts.registry().pid() + ") at " + registryBaseUrl()
                + ", trust store " + certificates.trustStore();
    }

    @Override
    public void close() {
        try {
            parts.close();
        } finally {
            TempDirs.deleteQuietly(workDir);
        }
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
