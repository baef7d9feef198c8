package io.xraydrift.ingest.edge;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reason may say of a submitted value: its shape, never the value. A feed that shifts its
 * fields (an MRN in {@code acquiredAt}, a name in {@code view}) must not get that value repeated into
 * a dead letter or a log line, whatever the field; its length and the kinds of characters in it are
 * enough to find the mistake.
 */
public final class Shape {

    private Shape() {}

    /** E.g. {@code "a value of 9 characters: letters, digits"}; {@code "no value"} for null. */
    public static String of(String value) {
        if (value == null) {
            return "no value";
        }
        if (value.isEmpty()) {
            return "an empty value";
        }
        boolean letters = false;
        boolean digits = false;
        boolean spaces = false;
        boolean punctuation = false;
        boolean other = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLetter(c)) {
                letters = true;
            } else if (Character.isDigit(c)) {
                digits = true;
            } else if (Character.isWhitespace(c)) {
                spaces = true;
            } else if (c < 128 && !Character.isISOControl(c)) {
                punctuation = true;
            } else {
                other = true;
            }
        }
        List<String> kinds = new ArrayList<>();
        if (letters) {
            kinds.add("letters");
        }
        if (digits) {
            kinds.add("digits");
        }
        if (spaces) {
            kinds.add("spaces");
        }
        if (punctuation) {
            kinds.add("punctuation");
        }
        if (other) {
            kinds.add("other characters");
        }
        return "a value of " + value.length() + " character" + (value.length() == 1 ? "" : "s") + ": "
                + String.join(", ", kinds);
    }
}
