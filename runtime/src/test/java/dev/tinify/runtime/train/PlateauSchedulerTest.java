package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** ReduceLROnPlateau's rule (mode min, relative threshold 1e-4, no cooldown). */
class PlateauSchedulerTest {
    @Test
    void halvesAfterMoreThanPatienceEvaluationsWithoutImprovement() {
        PlateauScheduler s = new PlateauScheduler(0.5, 2);
        double lr = 1e-4;
        lr = s.step(10, lr);
        lr = s.step(9, lr);
        assertEquals(1e-4, lr);
        lr = s.step(9, lr);
        lr = s.step(9.5, lr);
        assertEquals(1e-4, lr, "two bad evaluations are within patience 2");
        lr = s.step(9.2, lr);
        assertEquals(5e-5, lr, "the third bad evaluation reduces");
        lr = s.step(9.1, lr);
        lr = s.step(9.1, lr);
        assertEquals(5e-5, lr, "the count restarts after a reduction");
        lr = s.step(9.1, lr);
        assertEquals(2.5e-5, lr);
    }

    @Test
    void improvementsSmallerThanTheRelativeThresholdDoNotCount() {
        PlateauScheduler s = new PlateauScheduler(0.5, 0);
        double lr = s.step(100, 1.0);
        lr = s.step(100 * (1 - 0.5e-4), lr);
        assertEquals(0.5, lr, "a 0.005% improvement is a plateau");
        lr = s.step(100 * (1 - 2e-4), lr);
        assertEquals(0.5, lr, "a 0.02% improvement counts");
    }

    @Test
    void stateRoundTrips() {
        PlateauScheduler a = new PlateauScheduler(0.5, 3);
        a.step(5, 1);
        a.step(6, 1);
        PlateauScheduler b = new PlateauScheduler(0.5, 3);
        b.restore(a.state());
        assertEquals(a.state(), b.state());
        assertEquals(a.step(7, 1), b.step(7, 1));
        assertEquals(a.step(7, 1), b.step(7, 1));
        assertEquals(0.5, b.step(7, 1));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new PlateauScheduler(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PlateauScheduler(0.5, -1));
    }
}
