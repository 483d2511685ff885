package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class PlanDurationsTest {

    @Test
    void parsesIsoDurationsWithDays() {
        assertEquals(Duration.ofDays(7), PlanDurations.parse("P7D").orElseThrow());
        assertEquals(Duration.ofHours(24), PlanDurations.parse("PT24H").orElseThrow());
        assertEquals(Duration.ZERO, PlanDurations.parse("PT0S").orElseThrow());
    }

    @Test
    void refusesNegativeMalformedAndCalendarDurations() {
        assertTrue(PlanDurations.parse("-PT1H").isEmpty());
        assertTrue(PlanDurations.parse("PT1H-30M").isEmpty());
        assertTrue(PlanDurations.parse("PT+1H").isEmpty());
        assertTrue(PlanDurations.parse("24h").isEmpty());
        assertTrue(PlanDurations.parse("P1M").isEmpty());
        assertTrue(PlanDurations.parse("").isEmpty());
        assertTrue(PlanDurations.parse(null).isEmpty());
        assertTrue(PlanDurations.parse("PT" + "9".repeat(50) + "S").isEmpty());
    }

    @Test
    void formatsDaysFirst() {
        assertEquals("P7D", PlanDurations.format(Duration.ofDays(7)));
        assertEquals("P1D", PlanDurations.format(Duration.ofHours(24)));
        assertEquals("P5DT1H", PlanDurations.format(Duration.ofHours(121)));
        assertEquals("PT23H59M", PlanDurations.format(Duration.ofMinutes(1439)));
        assertEquals("PT0S", PlanDurations.format(Duration.ZERO));
    }

    @Test
    void normalisesCaseAndUnits() {
        assertEquals("PT1H", PlanDurations.normalize("pt1h"));
        assertEquals("PT24H", PlanDurations.normalize("P1D"));
        assertEquals("PT1H30M", PlanDurations.normalize("PT90M"));
        assertEquals("PT0S", PlanDurations.normalize("PT0S"));
    }
}
