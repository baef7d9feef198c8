package io.xraydrift.testing;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything this JVM logs from now on (every logger, at the levels configured, with stack
 * traces), kept in memory so a test can search the service's log output — e.g. for a raw patient
 * identifier that must never be logged.
 */
public final class LogCapture implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final Appender appender;
    private final LoggerContext context;

    private LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        PatternLayout layout = PatternLayout.newBuilder()
                .withPattern("%d %-5level [%t] %logger - %msg%n%throwable")
                .build();
        appender = WriterAppender.newBuilder()
                .setName("xray-log-capture-" + System.nanoTime())
                .setTarget(out)
                .setLayout(layout)
                .build();
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        // Events reach the root's appenders from every logger that passes them on; only a logger
        // that does not (additivity off) needs the appender itself, or its events would be kept twice.
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        config.getLoggers().values().stream()
                .filter(l -> !l.isAdditive() && l != config.getRootLogger())
                .forEach(l -> l.addAppender(appender, Level.ALL, null));
        context.updateLoggers();
    }

    /** Starts capturing. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** All captured output so far. */
    public String text() {
        synchronized (out) {
            return out.toString();
        }
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        config.getLoggers().values().forEach(l -> l.removeAppender(appender.getName()));
        context.updateLoggers();
        appender.stop();
    }
}
