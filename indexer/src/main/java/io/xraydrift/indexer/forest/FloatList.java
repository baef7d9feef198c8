package io.xraydrift.indexer.forest;

import java.util.Arrays;

/** A growable float array without boxing. */
final class FloatList {
    private float[] values = new float[64];
    private int size;

    void add(float v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    float get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }
}
