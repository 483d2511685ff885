package dev.rollout.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsWhatPeopleType() {
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofDays(2), Durations.parse("2d"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("45s"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
        assertEquals(Duration.ofHours(26), Durations.parse("1D2H"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
    }

    @Test
    void readsIso8601InEitherCase() {
        assertEquals(Duration.ofMinutes(10), Durations.parse("PT10M"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("pt10m"));
        assertEquals(Duration.ofHours(28), Durations.parse("P1DT4H"));
    }

    @Test
    void refusesSignsBareNumbersAndNonsense() {
        for (String bad : new String[] {"", "10", "-5m", "+5m", "5 m", "m", "5x", "10m-", "PT-1H", "PT1H-30M", "P1M",
                "1.5h", "99999999999h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
            if (!bad.isEmpty()) {
                assertEquals(true, e.getMessage().contains("is not a duration"), e.getMessage());
            }
        }
    }

    @Test
    void formatsExactlyLargestUnitsFirst() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("1m 30s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("1d 4h", Durations.format(Duration.ofHours(28)));
        assertEquals("7d", Durations.format(Duration.ofDays(7)));
        assertEquals("1s", Durations.format(Duration.ofMillis(1)), "a part of a second left is not 'due now'");
        assertEquals("0s", Durations.format(Duration.ofSeconds(-5)));
    }

    @Test
    void countdownsAboveAnHourAreToTheMinuteRoundedUp() {
        assertEquals("59m 59s", Durations.roughly(Duration.ofSeconds(3599)));
        assertEquals("1h", Durations.roughly(Duration.ofHours(1)));
        assertEquals("1d 3h 59m", Durations.roughly(Duration.ofHours(28).minusSeconds(61)));
        assertEquals("1h 1m", Durations.roughly(Duration.ofSeconds(3601)));
    }

    @Test
    void apiDurationsReadAsPeopleReadThem() {
        assertEquals("1d 4h", Durations.readable("P1DT4H"));
        assertEquals("1d 4h", Durations.readable("PT28H"));
        assertEquals("P1W", Durations.readable("P1W"), "unreadable text is shown as it is");
        assertEquals("-", Durations.readable(null));
    }

    @Test
    void waitsAreSentAsWholeSecondsRoundedUp() {
        assertEquals("PT10M", Durations.iso(Duration.ofMinutes(10)));
        assertEquals("PT1S", Durations.iso(Duration.ofMillis(200)));
        assertEquals("PT15M", Durations.iso(Duration.ofMinutes(15)));
    }
}
