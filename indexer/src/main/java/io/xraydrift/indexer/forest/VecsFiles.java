package io.xraydrift.indexer.forest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ObjIntConsumer;

/**
 * The ANN-benchmark file formats (as for SIFT1M): {@code .fvecs} is, per vector, a little-endian
 * int32 dimension followed by that many float32; {@code .ivecs} the same with int32 values.
 */
public final class VecsFiles {

    /** Vectors read from a file: flat row-major. */
    public record Matrix(int rows, int dim, float[] data) {}

    /** Integer rows (ground-truth neighbour ids). */
    public record IntMatrix(int rows, int dim, int[] data) {}

    private VecsFiles() {}

    public static Matrix readFvecs(Path file) throws IOException {
        long bytes = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            int dim = readIntLe(in);
            long rowBytes = 4L + 4L * dim;
            if (bytes % rowBytes != 0) {
                throw new IOException(file + ": " + bytes + " bytes is not a whole number of " + dim + "-d rows");
            }
            int rows = (int) (bytes / rowBytes);
            float[] data = new float[rows * dim];
            byte[] row = new byte[4 * dim];
            for (int r = 0; r < rows; r++) {
                if (r > 0) {
                    int d = readIntLe(in);
                    if (d != dim) {
                        throw new IOException(file + ": row " + r + " has dimension " + d + ", expected " + dim);
                    }
                }
                readFully(in, row);
                ByteBuffer.wrap(row)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(data, r * dim, dim);
            }
            return new Matrix(rows, dim, data);
        }
    }

    public static IntMatrix readIvecs(Path file) throws IOException {
        long bytes = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            int dim = readIntLe(in);
            int rows = (int) (bytes / (4L + 4L * dim));
            int[] data = new int[rows * dim];
            byte[] row = new byte[4 * dim];
            for (int r = 0; r < rows; r++) {
                if (r > 0) {
                    readIntLe(in);
                }
                readFully(in, row);
                ByteBuffer.wrap(row)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asIntBuffer()
                        .get(data, r * dim, dim);
            }
            return new IntMatrix(rows, dim, data);
        }
    }

    public static void writeFvecs(Path file, float[] data, int dim) throws IOException {
        write(file, data.length / dim, dim, (row, i) -> row.putFloat(data[i]));
    }

    public static void writeIvecs(Path file, int[] data, int dim) throws IOException {
        write(file, data.length / dim, dim, (row, i) -> row.putInt(data[i]));
    }

    /**
     * Rows of {@code dim} values, each after its dimension as an int: the .fvecs/.ivecs layout;
     * {@code value} puts the {@code i}-th value of the whole matrix into the row.
     */
    private static void write(Path file, int rows, int dim, ObjIntConsumer<ByteBuffer> value) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer row = ByteBuffer.allocate(4 + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                row.clear();
                row.putInt(dim);
                for (int d = 0; d < dim; d++) {
                    value.accept(row, r * dim + d);
                }
                out.write(row.array());
            }
        }
    }

    private static int readIntLe(InputStream in) throws IOException {
        byte[] b = new byte[4];
        readFully(in, b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static void readFully(InputStream in, byte[] b) throws IOException {
        new DataInputStream(in).readFully(b);
    }
}
