package io.xraydrift.indexer.forest;

/** A search result: the vector's ordinal and its distance to the query. */
public record Neighbour(int ordinal, float distance) {}
