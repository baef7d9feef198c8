package io.xraydrift.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.kiota.ApiException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Which serde failures mean "the registry did not answer" (retried) rather than a bad record. */
class RegistryUnavailableExceptionTest {

    private static ApiException status(int code) {
        return status(code, null);
    }

    private static ApiException status(int code, Throwable cause) {
        return new ApiException("registry said " + code, cause) {
            {
                setResponseStatusCode(code);
            }
        };
    }

    @Test
    void networkFailuresAndServerErrorsAreTheRegistrysNotTheRecords() {
        assertTrue(RegistryUnavailableException.unreachable(
                new RuntimeException(new ConnectException("Connection refused"))));
        assertTrue(RegistryUnavailableException.unreachable(new IllegalStateException(
                "wrapped", new CompletionException(new SocketException("Connection reset")))));
        assertTrue(RegistryUnavailableException.unreachable(new RuntimeException(status(503))));
        assertTrue(RegistryUnavailableException.unreachable(new RuntimeException(status(429))));
        assertTrue(RegistryUnavailableException.unreachable(new TimeoutException("slow")));
    }

    @Test
    void badRecordsAndClientErrorsAreNotRetried() {
        assertFalse(RegistryUnavailableException.unreachable(new RuntimeException(status(404))));
        assertFalse(RegistryUnavailableException.unreachable(
                new RuntimeException(status(409, new ConnectException("never reached: the 409 decides")))));
        assertFalse(RegistryUnavailableException.unreachable(new SerializationException("not magic byte 0")));
        assertFalse(RegistryUnavailableException.unreachable(new AvroRuntimeException("bad union index 7")));
        assertFalse(RegistryUnavailableException.unreachable(new RuntimeException(new EOFException())));
        assertFalse(
                RegistryUnavailableException.unreachable(
                        new IllegalStateException(new IOException("Malformed data. Length is negative: -40"))),
                "Avro's IOException: the bytes");
    }

    @Test
    void retriesWhileUnreachableThenNamesTheRegistry() {
        AtomicInteger calls = new AtomicInteger();
        String value = RegistryUnavailableException.retrying(
                () -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new RuntimeException(new ConnectException("Connection refused"));
                    }
                    return "written";
                },
                "writing a ScanReceived",
                "http://registry.example:8080",
                Duration.ofSeconds(10));
        assertEquals("written", value);
        assertEquals(3, calls.get());

        RegistryUnavailableException e = assertThrows(
                RegistryUnavailableException.class,
                () -> RegistryUnavailableException.retrying(
                        () -> {
                            throw new RuntimeException(new ConnectException("Connection refused"));
                        },
                        "reading a ScanEmbedded",
                        "http://registry.example:8080",
                        Duration.ofMillis(500)));
        assertTrue(e.getMessage().contains("http://registry.example:8080"), e.getMessage());
        assertTrue(e.getMessage().contains("reading a ScanEmbedded"), e.getMessage());
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());

        AtomicInteger once = new AtomicInteger();
        assertThrows(
                SerializationException.class,
                () -> RegistryUnavailableException.retrying(
                        () -> {
                            once.incrementAndGet();
                            throw new SerializationException(
                                    "a ScanReceived where xray.neighbours carries ScanNeighbours records");
                        },
                        "reading a ScanNeighbours",
                        "http://registry.example:8080",
                        Duration.ofSeconds(10)));
        assertEquals(1, once.get(), "a bad record is not retried");
    }

    @Test
    void aCallTheRegistryNeverAnswersIsCutOffAndRetriedAndTheThreadIsLeftUninterrupted() {
        AtomicInteger calls = new AtomicInteger();
        String value = RegistryUnavailableException.retrying(
                () -> {
                    if (calls.incrementAndGet() == 1) {
                        try { // what Kiota's Vert.x adapter does: wait for the answer without a timeout
                            return new CompletableFuture<String>().get();
                        } catch (InterruptedException | ExecutionException e) {
                            throw new RuntimeException(e);
                        }
                    }
                    return "read";
                },
                "reading a ScanEmbedded",
                "http://registry.example:8080",
                Duration.ofMillis(300));
        assertEquals("read", value);
        assertEquals(2, calls.get());
        assertFalse(Thread.currentThread().isInterrupted(), "the cut-off's interrupt does not outlive the call");

        RegistryUnavailableException e = assertThrows(
                RegistryUnavailableException.class,
                () -> RegistryUnavailableException.retrying(
                        () -> {
                            try {
                                return new CompletableFuture<String>().get();
                            } catch (InterruptedException | ExecutionException x) {
                                throw new RuntimeException(x);
                            }
                        },
                        "reading a ScanEmbedded",
                        "http://registry.example:8080",
                        Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("no answer in"), e.getMessage());
        assertFalse(Thread.interrupted());
    }

    @Test
    void aCallThatAnswersInTimeIsNeverInterruptedLater() throws Exception {
        String value = BoundedAttempt.run(() -> "answered", Duration.ofMillis(50));
        assertEquals("answered", value);
        Thread.sleep(200); // past the limit: a late interrupt would end this sleep
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
