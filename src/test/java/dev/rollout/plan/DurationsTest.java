package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesIsoDurationsWithDays() {
        assertEquals(Duration.ofDays(7), Durations.parse("P7D").orElseThrow());
        assertEquals(Duration.ofHours(24), Durations.parse("PT24H").orElseThrow());
        assertEquals(Duration.ZERO, Durations.parse("PT0S").orElseThrow());
    }

    @Test
    void refusesNegativeMalformedAndCalendarDurations() {
        assertTrue(Durations.parse("-PT1H").isEmpty());
        assertTrue(Durations.parse("PT1H-30M").isEmpty());
        assertTrue(Durations.parse("PT+1H").isEmpty());
        assertTrue(Durations.parse("24h").isEmpty());
        assertTrue(Durations.parse("P1M").isEmpty());
        assertTrue(Durations.parse("").isEmpty());
        assertTrue(Durations.parse(null).isEmpty());
        assertTrue(Durations.parse("PT" + "9".repeat(50) + "S").isEmpty());
    }

    @Test
    void formatsDaysFirst() {
        assertEquals("P7D", Durations.format(Duration.ofDays(7)));
        assertEquals("P1D", Durations.format(Duration.ofHours(24)));
        assertEquals("P5DT1H", Durations.format(Duration.ofHours(121)));
        assertEquals("PT23H59M", Durations.format(Duration.ofMinutes(1439)));
        assertEquals("PT0S", Durations.format(Duration.ZERO));
    }

    @Test
    void normalisesCaseAndUnits() {
        assertEquals("PT1H", Durations.normalize("pt1h"));
        assertEquals("PT24H", Durations.normalize("P1D"));
        assertEquals("PT1H30M", Durations.normalize("PT90M"));
        assertEquals("PT0S", Durations.normalize("PT0S"));
    }
}
