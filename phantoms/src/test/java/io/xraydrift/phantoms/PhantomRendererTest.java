package io.xraydrift.phantoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PhantomRendererTest {

    private final PhantomRenderer renderer = new PhantomRenderer(256);

    @Test
    void sameSeedsGiveTheSameBytes() {
        Phantom a = renderer.render(Anatomy.of(11), Acquisition.of(5, false), 0.4, 99);
        Phantom b = new PhantomRenderer(256).render(Anatomy.of(11), Acquisition.of(5, false), 0.4, 99);
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.toPng(), b.toPng());
        Phantom other = renderer.render(Anatomy.of(11), Acquisition.of(6, false), 0.4, 99);
        assertFalse(Arrays.equals(a.pixels(), other.pixels()), "another acquisition seed changes the image");
    }

    @Test
    void twoScansOfOnePatientAreCloserThanScansOfTwoPatients() {
        int patients = 24;
        int closer = 0;
        double intraSum = 0;
        double interSum = 0;
        for (int p = 0; p < patients; p++) {
            Phantom first = renderer.render(Anatomy.of(1000 + p), Acquisition.of(2 * p, false), 0.0, 1);
            Phantom second = renderer.render(Anatomy.of(1000 + p), Acquisition.of(2 * p + 1, false), 0.0, 2);
            Phantom otherPatient = renderer.render(Anatomy.of(2000 + p), Acquisition.of(2 * p + 1, false), 0.0, 2);
            double intra = distance(first, second);
            double inter = distance(first, otherPatient);
            intraSum += intra;
            interSum += inter;
            closer += intra < inter ? 1 : 0;
        }
        assertTrue(intraSum < interSum * 0.8, "mean intra " + intraSum / patients + " vs inter " + interSum / patients);
        assertTrue(closer >= patients * 0.9, closer + " of " + patients + " patients closer to themselves");
    }

    @Test
    void lungFieldsWhitenMonotonicallyWithSeverity() {
        for (long patient = 1; patient <= 3; patient++) {
            Anatomy anatomy = Anatomy.of(patient);
            float[] lung = renderer.lungFields(anatomy);
            double previous = -1;
            for (int step = 0; step <= 20; step++) {
                double s = step / 20.0;
                Phantom ph = renderer.render(anatomy, Acquisition.reference(), s, 77 + patient);
                double mean = maskedMean(ph, lung);
                assertTrue(
                        mean >= previous,
                        "patient " + patient + ": lung mean " + mean + " at s=" + s + " below " + previous);
                previous = mean;
            }
            double healthy = maskedMean(renderer.render(anatomy, Acquisition.reference(), 0, 1), lung);
            double severe = maskedMean(renderer.render(anatomy, Acquisition.reference(), 1, 1), lung);
            assertTrue(severe > healthy + 40, "severe lungs whiter by " + (severe - healthy) + " gray levels");
        }
    }

    @Test
    void refusesSeverityOutsideTheUnitInterval() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> renderer.render(Anatomy.of(1), Acquisition.reference(), 1.2, 1));
        assertTrue(e.getMessage().contains("1.2"), e.getMessage());
    }

    @Test
    void gradesFollowTheThresholds() {
        assertEquals(Grade.HEALTHY, Grade.of(0));
        assertEquals(Grade.INFECTED, Grade.of(Grade.INFECTED_FROM));
        assertEquals(Grade.SEVERE, Grade.of(Grade.SEVERE_FROM));
    }

    private static double distance(Phantom a, Phantom b) {
        double sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            double d = (a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF);
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    private static double maskedMean(Phantom p, float[] mask) {
        double sum = 0;
        double weight = 0;
        for (int i = 0; i < mask.length; i++) {
            sum += mask[i] * (p.pixels()[i] & 0xFF);
            weight += mask[i];
        }
        return sum / weight;
    }
}
