package io.xraydrift.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/** Runs a command in this JVM with {@code System.out} captured, as a user would read it. */
public final class Stdout {

    /** A command's exit code and what it printed (trimmed). */
    public record Run(int rc, String out) {}

    private Stdout() {}

    /** Runs {@code command} with {@code System.out} captured; the capture is echoed to the real one after. */
    public static Run capture(IntSupplier command) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            rc = command.getAsInt();
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8).trim();
        original.println(out);
        return new Run(rc, out);
    }
}
