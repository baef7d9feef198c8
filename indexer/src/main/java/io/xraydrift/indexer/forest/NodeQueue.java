package io.xraydrift.indexer.forest;

import java.util.Arrays;

/** Max-heap of (priority, node reference): the query's one queue across all trees. */
final class NodeQueue {
    private float[] priorities;
    private int[] refs;
    private int size;

    NodeQueue(int capacity) {
        priorities = new float[Math.max(16, capacity)];
        refs = new int[priorities.length];
    }

    boolean isEmpty() {
        return size == 0;
    }

    float topPriority() {
        return priorities[0];
    }

    void push(float priority, int ref) {
        if (size == priorities.length) {
            priorities = Arrays.copyOf(priorities, size * 2);
            refs = Arrays.copyOf(refs, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (priorities[parent] >= priority) {
                break;
            }
            priorities[i] = priorities[parent];
            refs[i] = refs[parent];
            i = parent;
        }
        priorities[i] = priority;
        refs[i] = ref;
    }

    /** Removes the highest-priority entry and returns its reference. */
    int pop() {
        int top = refs[0];
        size--;
        float p = priorities[size];
        int r = refs[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && priorities[child + 1] > priorities[child]) {
                child++;
            }
            if (priorities[child] <= p) {
                break;
            }
            priorities[i] = priorities[child];
            refs[i] = refs[child];
            i = child;
        }
        priorities[i] = p;
        refs[i] = r;
        return top;
    }
}
