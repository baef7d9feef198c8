package io.xraydrift.ingest;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;

/**
 * Ingest's configuration. The pseudonymisation key and the API token are secrets: required
 * outside demo mode, never printed ({@link #toString()} redacts them).
 *
 * @param common         service name, HTTP port, Kafka and registry
 * @param pseudonymKey   HMAC-SHA256 key turning patient ids into pseudonyms
 * @param apiToken       bearer token HTTP clients must present
 * @param demoMode       allows built-in demo secrets; never in a deployment
 * @param maxImageSide   longest side of a normalised image, in pixels
 * @param maxUploadBytes largest accepted upload or intake image, in bytes
 */
public record IngestConfig(ServiceConfig common, String pseudonymKey, String apiToken, boolean demoMode,
                           int maxImageSide, int maxUploadBytes) {

    public static final String SERVICE = "ingest";
    public static final int DEFAULT_PORT = 8081;
    public static final String PSEUDONYM_KEY = "XRAY_PSEUDONYM_KEY";
    public static final String API_TOKEN = "XRAY_API_TOKEN";
    public static final String DEMO_MODE = Settings.DEMO_MODE;
    public static final String MAX_IMAGE_SIDE = "XRAY_INGEST_MAX_IMAGE_SIDE";
    public static final String MAX_UPLOAD_BYTES = "XRAY_INGEST_MAX_UPLOAD_BYTES";

    static final int MIN_KEY_LENGTH = 32;
    /** The pseudonymisation key of demo mode (never for real patients). */
    public static final String DEMO_PSEUDONYM_KEY = "xray-drift-demo-key-not-for-real-patients-0001";
    static final String DEMO_API_TOKEN = Settings.DEMO_API_TOKEN;

    public static IngestConfig from(Settings s) {
        boolean demo = s.demoMode();
        String key = s.secret(PSEUDONYM_KEY, DEMO_PSEUDONYM_KEY,
                "ingest refuses to start without a pseudonymisation key outside demo mode");
        if (key.length() < MIN_KEY_LENGTH) {
            throw new ConfigException(PSEUDONYM_KEY + " is " + key.length() + " characters long, minimum is "
                    + MIN_KEY_LENGTH);
        }
        String token = s.secret(API_TOKEN, DEMO_API_TOKEN, "HTTP uploads need a bearer token outside demo mode");
        return new IngestConfig(ServiceConfig.from(s, SERVICE, DEFAULT_PORT), key, token, demo,
                s.integer(MAX_IMAGE_SIDE, 1024, 256, 8192),
                s.integer(MAX_UPLOAD_BYTES, 32 * 1024 * 1024, 1024, 256 * 1024 * 1024));
    }

    @Override
    public String toString() {
        return "IngestConfig[common=" + common + ", pseudonymKey=<redacted>, apiToken=<redacted>, demoMode=" + demoMode
                + ", maxImageSide=" + maxImageSide + ", maxUploadBytes=" + maxUploadBytes + "]";
    }
}
