package io.xraydrift.indexer.forest;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Bulk, length-prefixed int and float arrays on data streams (big-endian), in 64 KiB chunks. */
public final class Arrays2 {

    private static final int CHUNK = 16 * 1024;

    private Arrays2() {
    }

    public static void writeInts(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4);
        for (int from = 0; from < values.length; from += CHUNK) {
            int n = Math.min(CHUNK, values.length - from);
            buf.clear();
            buf.asIntBuffer().put(values, from, n);
            out.write(buf.array(), 0, n * 4);
        }
    }

    public static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        writeFloats(out, values, values.length);
    }

    public static void writeFloats(DataOutputStream out, float[] values, int length) throws IOException {
        out.writeInt(length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4);
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            buf.clear();
            buf.asFloatBuffer().put(values, from, n);
            out.write(buf.array(), 0, n * 4);
        }
    }

    public static int[] readInts(DataInputStream in) throws IOException {
        int length = checkedLength(in.readInt());
        int[] values = new int[length];
        byte[] bytes = new byte[CHUNK * 4];
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            in.readFully(bytes, 0, n * 4);
            ByteBuffer.wrap(bytes, 0, n * 4).asIntBuffer().get(values, from, n);
        }
        return values;
    }

    public static float[] readFloats(DataInputStream in) throws IOException {
        int length = checkedLength(in.readInt());
        float[] values = new float[length];
        byte[] bytes = new byte[CHUNK * 4];
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            in.readFully(bytes, 0, n * 4);
            ByteBuffer.wrap(bytes, 0, n * 4).asFloatBuffer().get(values, from, n);
        }
        return values;
    }

    private static int checkedLength(int length) throws IOException {
        if (length < 0 || length > 1 << 30) {
            throw new IOException("array length " + length + " is not plausible: corrupt file");
        }
        return length;
    }
}
