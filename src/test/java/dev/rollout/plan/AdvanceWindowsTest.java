package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The advance-window rule, with no database: wall-clock windows in their zone, across midnight, and at the
 * daylight-saving changes of Europe/Berlin in 2026 (clocks go forward at 01:00 UTC on 29 March, from 02:00 CET
 * to 03:00 CEST, and back at 01:00 UTC on 25 October, from 03:00 CEST to 02:00 CET).
 */
class AdvanceWindowsTest {

    private static final String BERLIN = "Europe/Berlin";

    private static AdvanceWindows windows(AdvanceWindow... windows) {
        assertEquals(List.of(), AdvanceWindows.problems(List.of(windows)));
        return AdvanceWindows.of(List.of(windows));
    }

    private static AdvanceWindow window(List<String> days, String from, String until, String zone) {
        return new AdvanceWindow(days, from, until, zone);
    }

    private static Instant at(String utc) {
        return Instant.parse(utc);
    }

    @Test
    void aWorkingDayWindowIsOpenOnItsLocalHoursOnly() {
        AdvanceWindows w = windows(window(List.of("MON", "TUE", "WED", "THU"), "09:00", "16:00", BERLIN));
        // Wednesday 25 November 2026, CET (UTC+1)
        assertFalse(w.isOpen(at("2026-11-25T07:59:59Z")));
        assertTrue(w.isOpen(at("2026-11-25T08:00:00Z")), "09:00 local opens it");
        assertTrue(w.isOpen(at("2026-11-25T14:59:59.999999Z")));
        assertFalse(w.isOpen(at("2026-11-25T15:00:00Z")), "16:00 local closes it");
        // the same hours in summer are an hour earlier in UTC (CEST, UTC+2)
        assertTrue(w.isOpen(at("2026-07-01T07:00:00Z")));
        assertFalse(w.isOpen(at("2026-07-01T14:00:00Z")));
        // Friday is not listed
        assertFalse(w.isOpen(at("2026-11-27T10:00:00Z")));
        // after Thursday's close, the next opening is Monday 09:00 local
        assertEquals(Optional.of(at("2026-11-30T08:00:00Z")), w.nextOpening(at("2026-11-26T15:00:00Z")));
        assertEquals(Optional.of(at("2026-11-25T10:00:00Z")), w.nextOpening(at("2026-11-25T10:00:00Z")),
                "open now: the next opening is now");
    }

    @Test
    void noWindowsMeansAlwaysOpen() {
        assertTrue(AdvanceWindows.of(null).isOpen(at("2026-03-29T01:30:00Z")));
        assertTrue(AdvanceWindows.ALWAYS.isAlways());
    }

    @Test
    void springForwardAWindowInsideTheSkippedHourNeverOpensThatDay() {
        AdvanceWindows w = windows(window(List.of("SUN"), "02:00", "03:00", BERLIN));
        for (Instant t = at("2026-03-28T22:00:00Z"); t.isBefore(at("2026-03-29T06:00:00Z")); t = t.plusSeconds(60)) {
            assertFalse(w.isOpen(t), "02:00-03:00 does not exist on 29 March: " + t);
        }
        // so the next opening is the following Sunday, 02:00 CEST
        assertEquals(Optional.of(at("2026-04-05T00:00:00Z")), w.nextOpening(at("2026-03-28T12:00:00Z")));
    }

    @Test
    void springForwardAWindowStartingInTheSkippedHourOpensWhenTheClockJumps() {
        AdvanceWindows w = windows(window(List.of("SUN"), "02:30", "04:00", BERLIN));
        assertFalse(w.isOpen(at("2026-03-29T00:59:59Z")), "01:59:59 CET");
        assertTrue(w.isOpen(at("2026-03-29T01:00:00Z")), "03:00 CEST, the first instant past 02:30 local");
        assertTrue(w.isOpen(at("2026-03-29T01:59:59Z")));
        assertFalse(w.isOpen(at("2026-03-29T02:00:00Z")), "04:00 CEST");
        assertEquals(Optional.of(at("2026-03-29T01:00:00Z")), w.nextOpening(at("2026-03-29T00:00:00Z")),
                "Retry-After points at the jump, not at 03:30");
    }

    @Test
    void aWindowSpanningTheChangeoverKeepsItsLocalHours() {
        AdvanceWindows w = windows(window(List.of("SUN"), "01:00", "04:00", BERLIN));
        // spring: 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC): two real hours
        assertEquals(Optional.of(at("2026-03-29T00:00:00Z")), w.nextOpening(at("2026-03-28T20:00:00Z")));
        assertEquals(Duration.ofHours(2), openFor(w, at("2026-03-29T00:00:00Z")));
        // autumn: 01:00 CEST (23:00 UTC on Saturday) to 04:00 CET (03:00 UTC): four real hours
        assertEquals(Optional.of(at("2026-10-24T23:00:00Z")), w.nextOpening(at("2026-10-24T20:00:00Z")));
        assertEquals(Duration.ofHours(4), openFor(w, at("2026-10-24T23:00:00Z")));
        assertTrue(w.isOpen(at("2026-10-25T01:30:00Z")), "02:30 CET, the repeated hour's second pass");
    }

    @Test
    void fallBackTheRepeatedHourIsInsideTheWindowBothTimes() {
        AdvanceWindows w = windows(window(List.of("SUN"), "02:00", "02:30", BERLIN));
        assertTrue(w.isOpen(at("2026-10-25T00:00:00Z")), "02:00 CEST");
        assertFalse(w.isOpen(at("2026-10-25T00:30:00Z")), "02:30 CEST");
        assertFalse(w.isOpen(at("2026-10-25T00:59:59Z")), "02:59:59 CEST");
        assertTrue(w.isOpen(at("2026-10-25T01:00:00Z")), "02:00 CET: the same local time again");
        assertFalse(w.isOpen(at("2026-10-25T01:30:00Z")), "02:30 CET");
        assertEquals(Optional.of(at("2026-10-25T01:00:00Z")), w.nextOpening(at("2026-10-25T00:40:00Z")),
                "the second pass of the hour opens it again");
    }

    @Test
    void aWindowAcrossMidnightRunsIntoTheNextDay() {
        AdvanceWindows w = windows(window(List.of("FRI"), "22:00", "06:00", "UTC"));
        assertFalse(w.isOpen(at("2026-11-27T21:59:59Z")));
        assertTrue(w.isOpen(at("2026-11-27T22:00:00Z")), "Friday 22:00");
        assertTrue(w.isOpen(at("2026-11-28T05:59:59Z")), "Saturday morning is still Friday's window");
        assertFalse(w.isOpen(at("2026-11-28T06:00:00Z")));
        assertFalse(w.isOpen(at("2026-11-28T23:00:00Z")), "Saturday night is not listed");
        assertFalse(w.isOpen(at("2026-11-27T05:00:00Z")), "Friday morning belongs to Thursday, not listed");
        assertEquals(Optional.of(at("2026-12-04T22:00:00Z")), w.nextOpening(at("2026-11-28T06:00:00Z")));
    }

    @Test
    void untilMidnightIsWrittenTwentyFour() {
        AdvanceWindows w = windows(window(List.of("SAT"), "20:00", "24:00", "UTC"));
        assertTrue(w.isOpen(at("2026-11-28T23:59:59Z")));
        assertFalse(w.isOpen(at("2026-11-29T00:00:00Z")));
    }

    @Test
    void severalWindowsTheEarliestOpeningWins() {
        AdvanceWindows w = windows(window(List.of("MON"), "09:00", "10:00", BERLIN),
                window(List.of("SUN"), "20:00", "21:00", "UTC"));
        assertEquals(Optional.of(at("2026-11-29T20:00:00Z")), w.nextOpening(at("2026-11-28T12:00:00Z")));
        assertEquals(Optional.of(at("2026-11-30T08:00:00Z")), w.nextOpening(at("2026-11-29T21:00:00Z")));
    }

    @Test
    void badWindowsAreNamedOneByOne() {
        List<String> problems = AdvanceWindows.problems(List.of(
                new AdvanceWindow(List.of("MON", "Mon", "MON", "FUNDAY"), "9:00", "24:00", "Mars/Olympus"),
                new AdvanceWindow(List.of(), "24:00", "00:00", "+01:00"),
                new AdvanceWindow(List.of("TUE"), "10:00", "10:00", "UTC"),
                new AdvanceWindow(null, null, null, null)));
        assertEquals(List.of(
                "advanceWindows[0].days[1]: must be one of [MON, TUE, WED, THU, FRI, SAT, SUN], got 'Mon'",
                "advanceWindows[0].days[2]: MON is listed twice",
                "advanceWindows[0].days[3]: must be one of [MON, TUE, WED, THU, FRI, SAT, SUN], got 'FUNDAY'",
                "advanceWindows[0].from: must be a time HH:MM from 00:00 to 23:59, got '9:00'",
                "advanceWindows[0].zone: must be an IANA time zone such as Europe/Berlin or UTC, got 'Mars/Olympus'",
                "advanceWindows[1].days: must list 1 to 7 days of [MON, TUE, WED, THU, FRI, SAT, SUN]",
                "advanceWindows[1].from: must be a time HH:MM from 00:00 to 23:59, got '24:00'",
                "advanceWindows[1].until: must be a time HH:MM from 00:01 to 24:00, got '00:00'",
                "advanceWindows[1].zone: must be an IANA time zone such as Europe/Berlin or UTC, got '+01:00'",
                "advanceWindows[2]: from and until must differ (a window from 10:00 until 10:00 would be empty; "
                        + "for a window across midnight give a from later than until)",
                "advanceWindows[3].days: must list 1 to 7 days of [MON, TUE, WED, THU, FRI, SAT, SUN]",
                "advanceWindows[3].from: is required, a time HH:MM (00:00 to 23:59)",
                "advanceWindows[3].until: is required, a time HH:MM (00:01 to 24:00)",
                "advanceWindows[3].zone: is required, an IANA time zone such as Europe/Berlin"), problems);
        assertEquals(List.of("advanceWindows: must list at least 1 window, or be left out to allow steps at any time"),
                AdvanceWindows.problems(List.of()));
        assertEquals(List.of("advanceWindows: at most 20 windows are allowed, got 21"), AdvanceWindows.problems(
                java.util.Collections.nCopies(21, new AdvanceWindow(List.of("MON"), "09:00", "10:00", "UTC"))));
        assertTrue(AdvanceWindows.problems(List.of(new AdvanceWindow(List.of("MON"), "09:60", "10:00", "UTC")))
                .get(0).startsWith("advanceWindows[0].from: must be a time"));
    }

    /** How long the window stays open from {@code opening}, minute by minute. */
    private static Duration openFor(AdvanceWindows w, Instant opening) {
        assertTrue(w.isOpen(opening));
        Instant t = opening;
        while (w.isOpen(t)) {
            t = t.plusSeconds(60);
        }
        return Duration.between(opening, t);
    }
}
