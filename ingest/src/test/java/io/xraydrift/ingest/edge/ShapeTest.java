package io.xraydrift.ingest.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void aValueIsDescribedByItsLengthAndItsKindsOfCharacters() {
        assertEquals("a value of 12 characters: letters, digits, punctuation", Shape.of("MRN-4711-abc"));
        assertEquals("a value of 1 character: digits", Shape.of("7"));
        assertEquals("a value of 9 characters: letters, spaces, other characters", Shape.of("Müller Ö\u0007"));
        assertEquals("an empty value", Shape.of(""));
        assertEquals("no value", Shape.of(null));
    }
}
